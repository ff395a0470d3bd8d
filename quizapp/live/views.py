"""Live mode's pages: the host's projector and controls, the players' phones, the streams.

Every page works without JavaScript: the projector and the waiting screens refresh
themselves every 2 seconds (`<noscript><meta http-equiv="refresh">`); a question page
waits for the player's answer. With JavaScript, `static/js/live-game.js` listens to the
page's Server-Sent Events stream and swaps the page's `#live-main` when the game moves.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse
from wtforms.fields.choices import SelectChoice

from .. import access, qtypes
from ..classes import classrooms
from ..enums import LeaderboardNames, LiveState, Role, SetStatus
from ..extensions import db, limiter
from ..gradebook import exports
from ..models import Classroom, LivePlayer, LiveSession, QuestionSet, utcnow
from . import broker as live_broker
from . import forms, fragments, results, services
from .services import LiveError

bp = Blueprint("live", __name__, url_prefix="/live")
log = logging.getLogger(__name__)

REFRESH_SECONDS = 2
ASK_LAST = 3  # the room's last answers ask the database whether everyone answered (`answer`)
KEEP_ALIVE_SECONDS = 20  # a stream with nothing to say sends a comment this often
ACTIONS = ("start", "next", "pause", "resume", "skip", "end")


@bp.context_processor
def live_enums() -> dict[str, Any]:
    return {"LiveState": LiveState, "LeaderboardNames": LeaderboardNames}


def publish(live: LiveSession, kind: str = live_broker.PHASE) -> None:
    live_broker.broker().publish(live.id, kind, live.version)


# --- the host ---------------------------------------------------------------------------------


def own_session(session_id: int) -> LiveSession:
    """A session the current teacher hosts (an admin may open any); 404 for anyone else."""
    live = db.session.get(LiveSession, session_id)
    if live is None or (live.host_id != current_user.id and current_user.role != Role.admin):
        abort(404)
    return live


@bp.route("/")
@access.roles(Role.teacher)
def index() -> str:
    ended = services.end_idle_sessions(current_user)
    if ended:
        db.session.commit()
        for live in ended:
            publish(live)
    sessions = db.session.scalars(
        select(LiveSession)
        .where(LiveSession.host_id == current_user.id)
        .order_by(LiveSession.created_at.desc())
        .limit(30)
    ).all()
    return render_template("live/index.html", sessions=sessions)


@bp.route("/new", methods=["GET", "POST"])
@access.roles(Role.teacher)
def new() -> str | HTTPResponse:
    form = forms.NewSessionForm()
    sets = db.session.scalars(
        select(QuestionSet)
        .where(QuestionSet.status == SetStatus.active)
        .order_by(QuestionSet.title)
    ).all()
    classes = [c for c in classrooms.managed_classrooms(current_user) if not c.archived]
    form.set_id.choices = [SelectChoice(s.id, s.title) for s in sets]
    form.classroom_id.choices = [
        SelectChoice(0, _("No class (nicknames only)")),
        *(SelectChoice(c.id, c.name) for c in classes),
    ]
    if request.method == "GET" and request.args.get("set", "").isdigit():
        form.set_id.data = int(request.args["set"])
    if form.validate_on_submit():
        question_set = db.session.get(QuestionSet, form.set_id.data)
        classroom = (
            db.session.get(Classroom, form.classroom_id.data) if form.classroom_id.data else None
        )
        if question_set is None or (classroom is not None and classroom not in classes):
            abort(404)
        try:
            live = services.create_session(
                current_user,
                question_set,
                classroom,
                names=LeaderboardNames(form.names.data),
                streak_bonus=form.streak_bonus.data,
            )
        except LiveError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            return redirect(url_for("live.host", session_id=live.id))
    return render_template("live/new.html", form=form)


def host_context(live: LiveSession) -> dict[str, Any]:
    now = utcnow()
    action_form = forms.ActionForm()
    if services.close_if_due(live, now) or services.end_if_idle(live, now):
        db.session.commit()
        publish(live)
    context: dict[str, Any] = {
        "live": live,
        "players": services.active_players(live),
        "join_url": url_for("live.join", pin=live.pin, _external=True),
        "now": now,
        "closed": services.is_closed(live, now),
        # The host's buttons (one per player to remove them) share one CSRF field, rendered
        # once: rendered per button, 300 players cost the projector's page 30 ms more.
        "action_csrf": action_form.csrf_token() if "csrf_token" in action_form else Markup(""),
        "block_form": forms.BlocklistForm(),
        "count": len(live.question_ids),
    }
    if live.state == LiveState.lobby:
        import segno  # here: the few pages with a QR code; megabytes per worker otherwise

        qr = segno.make(context["join_url"], error="m")
        context["qr_svg"] = qr.svg_inline(scale=6, dark="#000", light="#fff", title=_("Join"))
    if 0 <= live.position < len(live.question_ids) and live.state != LiveState.finished:
        question = services.question_at(live, live.position)
        context["question"] = question
        context["layout"] = services.layout_of(live, live.position, question)
        context["answered"] = services.answer_count(live)
        if context["closed"]:
            context["answer_bars"] = services.distribution(live, question)
    if live.state in (LiveState.reveal, LiveState.finished):
        context["standings"] = services.leaderboard(live)
    return context


@bp.route("/<int:session_id>/host")
@access.roles(Role.teacher)
def host(session_id: int) -> str:
    live = own_session(session_id)
    # The host's page is the projector's: projector mode (very large type, no site header)
    # unless the teacher leaves it (`?projector=0`).
    projector = request.args.get("projector") != "0"
    return render_template("live/host.html", projector=projector, **host_context(live))


@bp.route("/<int:session_id>/control/<action>", methods=["POST"])
@access.roles(Role.teacher)
def control(session_id: int, action: str) -> HTTPResponse:
    live = own_session(session_id)
    if action not in ACTIONS:
        abort(404)
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if action in ("start", "next"):
            services.close_if_due(live)
            moved = services.next_question(live)
        elif action == "pause":
            moved = services.pause(live)
        elif action == "resume":
            moved = services.resume(live)
        elif action == "skip":
            moved = services.skip(live)
        else:
            moved = services.end_session(live)
    except LiveError as error:
        flash(str(error), "warning")
        moved = False
    db.session.commit()
    if moved:
        publish(live)
    return redirect(url_for("live.host", session_id=live.id))


@bp.route("/<int:session_id>/players/<int:player_id>/remove", methods=["POST"])
@access.roles(Role.teacher)
def remove_player(session_id: int, player_id: int) -> HTTPResponse:
    live = own_session(session_id)
    player = db.session.get(LivePlayer, player_id)
    if player is None or player.session_id != live.id:
        abort(404)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    services.remove_player(live, player)
    db.session.commit()
    publish(live)
    flash(_("%(name)s was removed from the game.", name=player.nickname), "info")
    return redirect(url_for("live.host", session_id=live.id))


@bp.route("/<int:session_id>/blocklist", methods=["POST"])
@access.roles(Role.teacher)
def blocklist(session_id: int) -> HTTPResponse:
    live = own_session(session_id)
    form = forms.BlocklistForm()
    if not form.validate_on_submit():
        flash(_("Type the words to block, separated by commas."), "warning")
    else:
        services.add_blocked_words(live, form.words.data.split(","))
        db.session.commit()
        flash(_("Blocked words added."), "success")
    return redirect(url_for("live.host", session_id=live.id))


@bp.route("/<int:session_id>/results.<fmt>")
@access.roles(Role.teacher)
def export(session_id: int, fmt: str) -> Any:
    live = own_session(session_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    columns = [
        exports.Column(_("Rank"), "integer"),
        exports.Column(_("Player")),
        exports.Column(_("Points"), "integer"),
        exports.Column(_("Right answers"), "number"),
        *(exports.Column(_("Q%(n)s", n=i + 1), "integer") for i in range(len(live.question_ids))),
    ]
    rows = results.export_rows(live)
    title = live.question_set.title
    name = exports.file_name(title, _("live"), extension=fmt, day=date.today())
    if fmt == "csv":
        body, mimetype = exports.to_csv(columns, rows), exports.CSV_TYPE
    else:
        body, mimetype = exports.to_xlsx(title, columns, rows), exports.XLSX_TYPE
    return send_file(
        io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0
    )


# --- players ----------------------------------------------------------------------------------


def _tokens() -> dict[str, str]:
    value = session.get("live")
    return value if isinstance(value, dict) else {}


def _remember(live: LiveSession, token: str) -> None:
    tokens = {k: v for k, v in _tokens().items() if isinstance(v, str)}
    tokens[str(live.id)] = token
    session["live"] = dict(list(tokens.items())[-5:])  # the last few games only


def _join_failed(response: Any) -> bool:
    return bool(getattr(response, "status_code", 200) >= 400)


@bp.route("/join", methods=["GET", "POST"])
@access.public
@limiter.limit(
    lambda: current_app.config["LIVE_PIN_RATE_LIMIT"], methods=["POST"], deduct_when=_join_failed
)
def join() -> str | HTTPResponse | tuple[str, int]:
    """Join a game with its PIN: a class member under their account, anyone under a nickname."""
    form = forms.JoinForm()
    if request.method == "GET" and request.args.get("pin"):
        form.pin.data = request.args["pin"][:12]
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("live/join.html", form=form), status
    live = services.running_session(form.pin.data)
    if live is None:
        db.session.commit()  # an idle session found by its PIN was ended
        form.pin.errors = [_("No game is running with this PIN.")]
        return render_template("live/join.html", form=form), 404
    try:
        _player, token = services.join(live, current_user, form.nickname.data or "")
    except LiveError as error:
        form.nickname.errors = [str(error)]
        return render_template("live/join.html", form=form), 422
    db.session.commit()
    _remember(live, token)
    publish(live, live_broker.COUNT)
    return redirect(url_for("live.play", session_id=live.id))


@bp.route("/rejoin/<token>")
@access.public
def rejoin(token: str) -> HTTPResponse:
    """Carry a game to another phone or browser: the link on the waiting screen."""
    player = services.player_by_token(token)
    if player is None:
        flash(_("This link no longer works: join again with the PIN."), "warning")
        return redirect(url_for("live.join"))
    live = db.session.get(LiveSession, player.session_id)
    assert live is not None
    _remember(live, token)
    return redirect(url_for("live.play", session_id=live.id))


def current_player(live: LiveSession) -> LivePlayer | None:
    return services.player_for(live, _tokens().get(str(live.id)))


def answer_markup(live: LiveSession, count: int) -> dict[str, Markup]:
    """The open question's prompt and answer controls, the same on every phone at this
    version: rendered once per process (`fragments`), never with a key or a player's state."""

    def build() -> dict[str, Markup]:
        question = services.question_at(live, live.position)
        layout = services.layout_of(live, live.position, question)
        form = forms.answer_form(question, layout)
        form.position.data = str(live.position)
        prompt = get_template_attribute("live/_ui.html", "prompt")
        return {
            "prompt": Markup(prompt(question, live.position, count)),
            "controls": Markup(
                render_template("live/_answer_controls.html", form=form, question=question)
            ),
        }

    return fragments.shared(live, "answer", build, live.position, str(get_locale()))


def _phase(app: Flask, session_id: int, version: int, locale: str, base_url: str) -> dict[str, Any]:
    """What every phone of the session hears at `version` in `locale`, built once per process
    (`fragments`): the version; with an open question, its position, deadline, the players
    removed, and its markup, JSON-encoded once (`html_json`) for every stream to send as is."""

    def build() -> dict[str, Any]:
        with app.test_request_context(base_url=base_url), force_locale(locale):
            live = db.session.get(LiveSession, session_id)
            data: dict[str, Any] = {"version": live.version if live else version}
            now = utcnow()
            if (
                live is not None
                and live.version == version
                and live.state == LiveState.question
                and live.paused_remaining_ms is None
                and not services.is_closed(live, now)
            ):
                count = len(live.question_ids)
                html = render_template(
                    "live/_answering.html",
                    live=live,
                    now=now,
                    answering=answer_markup(live, count),
                    csrf="" if current_app.config.get("WTF_CSRF_ENABLED", True) else None,
                )
                assert live.deadline is not None
                data.update(
                    position=live.position,
                    html=html,
                    html_json=json.dumps(html).encode(),
                    deadline=live.deadline.timestamp(),
                    removed=frozenset(services.removed_player_ids(live)),
                )
            db.session.rollback()
            return data

    cache: fragments.Fragments = app.extensions["live_fragments"]
    try:
        return cache.shared(("event", session_id, version, locale), build)
    except Exception:  # (the database out of reach a moment) the page fetches itself
        log.warning("live: phase event without its markup", exc_info=True)
        return {"version": version}


def phase_data(
    app: Flask, session_id: int, version: int, player: tuple[int, str, str]
) -> dict[str, Any]:
    """What a phone's stream sends when the game reaches `version`: with an open question, its
    markup (`html`: prompt, countdown, answer form with an empty CSRF token that the page fills
    in), so that 300 phones show it without fetching their pages; otherwise the version only
    (the page fetches itself: a verdict and a rank are each player's own). Built once per
    process, session, version and language (`_phase`); a removed player gets the version only.

    `player`: its id, its language and the address it came to (a stream runs outside its
    request: the markup is rendered in a request context of its own, in that language)."""
    player_id, locale, base_url = player
    data = _phase(app, session_id, version, locale, base_url)
    if "html" not in data or player_id in data["removed"]:
        return {"version": data["version"]}
    return {
        "version": data["version"],
        "position": data["position"],
        "html": data["html"],
        "remaining_ms": max(0, int((data["deadline"] - time.time()) * 1000)),
    }


def phase_event(app: Flask, session_id: int, version: int, player: tuple[int, str, str]) -> bytes:
    """`phase_data` as the stream sends it (`event: phase`), the markup's JSON encoded once per
    process and version, not once per phone: only the countdown is each stream's own."""
    player_id, locale, base_url = player
    data = _phase(app, session_id, version, locale, base_url)
    if "html" not in data or player_id in data["removed"]:
        return f'event: phase\ndata: {{"version": {data["version"]}}}\n\n'.encode()
    remaining = max(0, int((data["deadline"] - time.time()) * 1000))
    head = f'event: phase\ndata: {{"version": {data["version"]}, "position": {data["position"]}, '
    tail = f', "remaining_ms": {remaining}}}\n\n'
    return b"".join((head.encode(), b'"html": ', data["html_json"], tail.encode()))


def play_context(live: LiveSession, player: LivePlayer) -> dict[str, Any]:
    now = utcnow()
    if services.close_if_due(live, now):
        db.session.commit()
        publish(live)
    closed = services.is_closed(live, now)
    context: dict[str, Any] = {
        "live": live,
        "player": player,
        "now": now,
        "closed": closed,
        "count": len(live.question_ids),
        "rejoin_url": url_for("live.rejoin", token=_tokens().get(str(live.id)), _external=True),
    }
    if 0 <= live.position < len(live.question_ids) and live.state != LiveState.finished:
        mine = services.answer_of(player, live.position)
        context["mine"] = mine
        if not closed and mine is None and live.paused_remaining_ms is None:
            context["answering"] = answer_markup(live, context["count"])
        else:
            question = services.question_at(live, live.position)
            context["question"] = question
    if closed or live.state == LiveState.finished:
        context["summary"] = results.summary_of(live, player)
    return context


@bp.route("/play/<int:session_id>")
@access.public
def play(session_id: int) -> str | HTTPResponse:
    live = db.session.get(LiveSession, session_id)
    if live is None:
        abort(404)
    player = current_player(live)
    if player is None:
        flash(_("Join the game with its PIN first."), "info")
        return redirect(url_for("live.join"))
    return render_template("live/play.html", **play_context(live, player))


@bp.route("/play/<int:session_id>/answer", methods=["POST"])
@access.public
def answer(session_id: int) -> str | HTTPResponse | tuple[str, int]:
    """The minimum: one read of the player and the session (with the shared lock, and the
    number of players still in), the question and its form kept per process, one INSERT, the
    COMMIT that acknowledges it, then the answer counted (`broker.answered`); only when the
    count reaches the players does the database say whether everyone answered."""
    seat = services.seat(session_id, _tokens().get(str(session_id)))
    if seat is None:
        if db.session.get(LiveSession, session_id) is None:
            abort(404)
        abort(403)  # not a player of this game (or removed): nothing is stored
    position = request.form.get("position", "")
    if not position.isdigit() or int(position) >= len(seat.question_ids):
        abort(400)
    question = services.answer_question(seat, int(position))
    cache: fragments.Fragments = current_app.extensions["live_fragments"]
    form_class = cache.shared(
        ("answer-form", seat.id, seat.created_at.isoformat(), int(position)),
        lambda: forms.answer_form_class(question, question.layout),
    )
    form = form_class(formdata=request.form)
    try:
        if not form.validate_on_submit():
            raise LiveError(_("This answer could not be read: try again."))
        try:
            given = forms.answer_from(form, question, question.layout)
        except (qtypes.AnswerError, ValueError) as error:
            raise LiveError(str(error)) from None
        services.submit_answer(seat, None, int(position), given)
    except LiveError as error:
        # Not stored: a 409 with the game as it is now and why (never a redirect that a
        # script could take for an acknowledgement).
        db.session.rollback()
        flash(str(error), "warning")
        live = db.session.get(LiveSession, session_id)
        player = db.session.get(LivePlayer, seat.player_id)
        assert live is not None and player is not None
        return render_template("live/play.html", **play_context(live, player)), 409
    db.session.commit()  # acknowledged only once committed
    try:
        # Counted after the commit: of two last answers committed at once, each counting
        # before its commit would miss the other's, and the question would wait for its
        # deadline. The broker's count (Redis) only says when to ask the database: for the
        # room's last few answers (a count lost with a worker killed between the commit and
        # the count is made up for); without a count (None), every answer asks it.
        counted = live_broker.broker().answered(
            seat.id, f"{seat.created_at.timestamp()}:{position}", seat.version
        )
        if (counted is None or counted >= seat.players - ASK_LAST) and services.all_answered(
            seat.id, int(position)
        ):
            live = db.session.get(LiveSession, session_id)
            assert live is not None
            if services.close_if_all_answered(live, position=int(position)):
                db.session.commit()
                publish(live)
        db.session.rollback()
    except Exception:  # the answer is stored: say so; the deadline closes the question anyway
        db.session.rollback()
        log.warning("live: answer stored, early close skipped", exc_info=True)
    return redirect(url_for("live.play", session_id=session_id))


# --- streams ----------------------------------------------------------------------------------


def _check(app: Flask, session_id: int) -> tuple[int | None, float]:
    """The database read of a stream's round: close a question whose time is up, end an idle
    game; (the version, or None if the session is gone; seconds until the next check)."""
    with app.app_context():
        live = db.session.get(LiveSession, session_id)
        if live is None:
            return None, live_broker.RECHECK_SECONDS
        now = utcnow()
        if services.close_if_due(live, now) or services.end_if_idle(live, now):
            db.session.commit()
            publish(live)
        version, next_in = live.version, live_broker.RECHECK_SECONDS
        if live.state == LiveState.question and live.deadline and live.paused_remaining_ms is None:
            next_in = min(next_in, (live.deadline - now).total_seconds() + 0.05)
        db.session.rollback()
        return version, next_in


def _events(
    app: Flask,
    session_id: int,
    every_change: bool,
    version: int,
    player: tuple[int, str, str] | None = None,
) -> Iterator[bytes]:
    """Server-Sent Events: `version` first (the page catches up after a reconnection if it is
    behind), then `phase` when the game moves (players and host), `count` on a join or an
    answer (host only). The database decides; a message carries the version it is at.

    A stream starts from the `version` its view read; then it waits on the broker, and reads
    the database only when it is the one stream of its process whose turn it is
    (`claim_check`: once per session and process every 2 s, and at the deadline; at once in a
    process that has not checked this game yet). It holds a thread, never a database
    connection, while it waits. It ends at the phone's own moment of a `LIVE_STREAM_SECONDS`
    cycle (`broker.stream_end`): phones that joined together do not reconnect together.
    """
    yield f"retry: {REFRESH_SECONDS * 1000}\n\n".encode()
    the_broker = app.extensions["live_broker"]
    serial = the_broker.serial(session_id)
    the_broker.learn(session_id, version)
    # On (re)connection: the page compares, and fetches itself if it is behind.
    yield f"event: version\ndata: {json.dumps({'version': version})}\n\n".encode()
    seen = version
    now, key = time.time(), None if player is None else player[0]
    until = (
        time.monotonic() + live_broker.stream_end(now, app.config["LIVE_STREAM_SECONDS"], key) - now
    )
    quiet_until = time.monotonic() + KEEP_ALIVE_SECONDS
    while (left := until - time.monotonic()) > 0:
        wait = min(left, quiet_until - time.monotonic())
        fresh, version = the_broker.wait(session_id, serial, seen, wait, every_change)
        message: bytes | None = None
        if version > seen:
            if player is not None:
                message = phase_event(app, session_id, version, player)
            else:
                message = f"event: phase\ndata: {json.dumps({'version': version})}\n\n".encode()
            seen = version
        elif fresh != serial and every_change:
            message = f"event: count\ndata: {json.dumps({'version': version})}\n\n".encode()
        elif time.monotonic() >= quiet_until:
            message = b": keep-alive\n\n"  # a proxy's read timeout (nginx: 60 s) never ends it
        if message is not None:
            yield message
            quiet_until = time.monotonic() + KEEP_ALIVE_SECONDS
        serial = fresh
        if the_broker.claim_check(session_id):
            checked: int | None = None
            next_in = live_broker.RECHECK_SECONDS
            try:
                checked, next_in = _check(app, session_id)
            finally:
                the_broker.checked(session_id, checked, next_in)
            if checked is None:
                return
    yield b": bye\n\n"


def _stream(
    session_id: int, every_change: bool, version: int, player_id: int | None = None
) -> Response:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    player = None if player_id is None else (player_id, str(get_locale()), request.url_root)
    db.session.close()  # the stream holds no connection
    return Response(
        _events(app, session_id, every_change, version, player),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.route("/<int:session_id>/events")
@access.roles(Role.teacher)
def host_events(session_id: int) -> Response:
    return _stream(session_id, every_change=True, version=own_session(session_id).version)


@bp.route("/play/<int:session_id>/events")
@access.public
def play_events(session_id: int) -> Response:
    """A phone's stream: one statement (the game's version and the player, `services.listener`)
    before it waits."""
    found = services.listener(session_id, _tokens().get(str(session_id)))
    if found is None:
        abort(404)
    version, player_id = found
    return _stream(session_id, every_change=False, version=version, player_id=player_id)

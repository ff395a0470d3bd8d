"""Live sessions: create, join, open and close questions, answer, pause, end.

Every function changes the database only; the view commits once, then publishes the change
(`broker.publish`). Phase changes are conditional UPDATEs on the session's `version`, so two
tabs of the host (or a double click) move the game once. Answers do not write the session's
row (300 answers would queue on one lock): each is one INSERT, unique per player and question,
under a shared lock of the session's row on PostgreSQL, which the host's next step waits for.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Executable, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from .. import qtypes
from ..enums import LeaderboardNames, LiveState
from ..extensions import db
from ..models import (
    Classroom,
    LiveAnswer,
    LivePlayer,
    LiveSession,
    Membership,
    Question,
    QuestionSet,
    User,
    utcnow,
)
from . import fragments, nicknames, scoring
from .gradebook_entry import record_in_gradebook
from .layout import layout_of

__all__ = ["LiveError", "layout_of"]

PIN_DIGITS = 6
ANSWERS = cast(Table, LiveAnswer.__table__)  # Core statements on the hot path


class LiveError(Exception):
    """A request the game refuses; the message is shown."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


# --- the host ---------------------------------------------------------------------------------


def create_session(
    host: User,
    question_set: QuestionSet,
    classroom: Classroom | None = None,
    names: LeaderboardNames = LeaderboardNames.shown,
    streak_bonus: bool = True,
    now: datetime | None = None,
) -> LiveSession:
    now = now or utcnow()
    ids = list(
        db.session.scalars(
            select(Question.id)
            .where(Question.set_id == question_set.id, Question.is_current.is_(True))
            .order_by(Question.position)
        )
    )
    if not ids:
        raise LiveError(_l("This set has no questions yet."))
    for _ in range(20):
        pin = new_pin()
        taken = db.session.scalar(
            select(LiveSession.id).where(LiveSession.pin == pin, LiveSession.ended_at.is_(None))
        )
        if taken is None:
            break
    else:  # pragma: no cover - a million PINs, a handful of sessions
        raise LiveError(_l("No free PIN: try again."))
    live = LiveSession(
        host_id=host.id,
        set_id=question_set.id,
        classroom_id=classroom.id if classroom else None,
        pin=pin,
        names=names.value,
        streak_bonus=streak_bonus,
        question_ids=ids,
        created_at=now,
        last_activity_at=now,
    )
    db.session.add(live)
    db.session.flush()  # the partial unique index settles a race for the same PIN
    return live


def _move(live: LiveSession, now: datetime, **values: Any) -> bool:
    """Apply a phase change if nobody moved the session since it was read; bump its version."""
    done = cast(
        CursorResult[Any],
        db.session.execute(
            update(LiveSession)
            .where(LiveSession.id == live.id, LiveSession.version == live.version)
            .values(version=live.version + 1, last_activity_at=now, **values)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    db.session.refresh(live)
    return done == 1


def question_at(live: LiveSession | Seat, position: int) -> Question:
    question = db.session.get(Question, live.question_ids[position])
    assert question is not None  # questions are never deleted, only retired
    return question


def time_limit_of(question: Question) -> int:
    return scoring.default_time_limit(question.type)


def next_question(live: LiveSession, now: datetime | None = None) -> bool:
    """Open the next question (the first from the lobby), or finish after the last."""
    now = now or utcnow()
    if live.state == LiveState.finished:
        return False
    if live.state == LiveState.question and not is_closed(live, now):
        raise LiveError(_l("Close the question (skip) before the next one."))
    position = live.position + 1
    if position >= len(live.question_ids):
        return end_session(live, now)
    limit = time_limit_of(question_at(live, position))
    return _move(
        live,
        now,
        state=LiveState.question.value,
        position=position,
        question_started_at=now,
        time_limit=limit,
        deadline=now + timedelta(seconds=limit),
        paused_remaining_ms=None,
    )


def is_closed(live: LiveSession, now: datetime) -> bool:
    """Is the current question over (by the server's clock)? The key may be shown then."""
    if live.state in (LiveState.reveal, LiveState.finished):
        return True
    if live.state != LiveState.question:
        return False
    if live.paused_remaining_ms is not None:
        return False
    return live.deadline is not None and now >= live.deadline


def close_if_due(live: LiveSession, now: datetime | None = None) -> bool:
    """Record the reveal of a question whose time is up (any reader may do it)."""
    now = now or utcnow()
    if live.state == LiveState.question and is_closed(live, now):
        return _move(live, now, state=LiveState.reveal.value)
    return False


def skip(live: LiveSession, now: datetime | None = None) -> bool:
    """Close the open question now: answers already in count, later ones are refused."""
    now = now or utcnow()
    if live.state != LiveState.question:
        return False
    return _move(live, now, state=LiveState.reveal.value, deadline=now, paused_remaining_ms=None)


def pause(live: LiveSession, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if live.state != LiveState.question or is_closed(live, now) or live.deadline is None:
        return False
    remaining = int((live.deadline - now).total_seconds() * 1000)
    return _move(live, now, paused_remaining_ms=max(remaining, 0))


def resume(live: LiveSession, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if live.paused_remaining_ms is None:
        return False
    deadline = now + timedelta(milliseconds=live.paused_remaining_ms)
    return _move(live, now, deadline=deadline, paused_remaining_ms=None)


def end_session(live: LiveSession, now: datetime | None = None) -> bool:
    """Finish the game: the PIN stops working; a class session's scores go to the gradebook."""
    now = now or utcnow()
    if live.state == LiveState.finished:
        return False
    if not _move(live, now, state=LiveState.finished.value, ended_at=now, paused_remaining_ms=None):
        return False
    record_in_gradebook(live, now)
    return True


def end_if_idle(live: LiveSession, now: datetime | None = None) -> bool:
    now = now or utcnow()
    idle = timedelta(minutes=current_app.config["LIVE_IDLE_MINUTES"])
    if live.ended_at is None and now - live.last_activity_at > idle:
        return end_session(live, now)
    return False


def end_idle_sessions(host: User | None = None, now: datetime | None = None) -> list[LiveSession]:
    """End every running session (of `host`, or all) idle for `QUIZAPP_LIVE_IDLE_MINUTES`: what
    a game nobody opens again needs for its class's scores to reach the gradebook. The
    teacher's list of games runs it; `flask live end-idle` runs it for all (from a timer)."""
    now = now or utcnow()
    idle = timedelta(minutes=current_app.config["LIVE_IDLE_MINUTES"])
    query = select(LiveSession).where(
        LiveSession.ended_at.is_(None), LiveSession.last_activity_at < now - idle
    )
    if host is not None:
        query = query.where(LiveSession.host_id == host.id)
    return [live for live in db.session.scalars(query).all() if end_if_idle(live, now)]


def add_blocked_words(live: LiveSession, words: list[str], now: datetime | None = None) -> None:
    now = now or utcnow()
    merged = list(dict.fromkeys([*live.blocklist, *(w.strip() for w in words if w.strip())]))
    _move(live, now, blocklist=merged[:200])


def remove_player(live: LiveSession, player: LivePlayer, now: datetime | None = None) -> None:
    now = now or utcnow()
    player.removed_at = now
    db.session.flush()
    _move(live, now)  # the removed phone sees it at once


# --- players ----------------------------------------------------------------------------------


def running_session(pin: str, now: datetime | None = None) -> LiveSession | None:
    """The session a PIN names while it runs; None once it ended (or idled out)."""
    now = now or utcnow()
    pin = "".join(pin.split())
    if not pin.isdigit() or len(pin) != PIN_DIGITS:
        return None
    live = db.session.scalar(
        select(LiveSession).where(LiveSession.pin == pin, LiveSession.ended_at.is_(None))
    )
    if live is None or end_if_idle(live, now):
        return None
    return live


def membership_of(live: LiveSession, user: Any) -> Membership | None:
    if live.classroom_id is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Membership).where(
            Membership.classroom_id == live.classroom_id, Membership.user_id == user.id
        )
    )


def join(
    live: LiveSession, user: Any, nickname: str, now: datetime | None = None
) -> tuple[LivePlayer, str]:
    """A class member (logged in) plays under their class name; anyone else under a nickname.

    Returns the player and its rejoin token (kept by the browser; only its hash is stored).
    """
    now = now or utcnow()
    if live.state == LiveState.finished:
        raise LiveError(_l("This game has ended."))
    member = membership_of(live, user)
    if member is not None:
        existing = db.session.scalar(
            select(LivePlayer).where(
                LivePlayer.session_id == live.id, LivePlayer.user_id == member.user_id
            )
        )
        if existing is not None and existing.removed_at is not None:
            raise LiveError(_l("The host removed you from this game."))
        token = secrets.token_urlsafe(24)
        if existing is not None:  # another phone: the old token stops working
            existing.token_hash = hash_token(token)
            db.session.flush()
            return existing, token
        name = member.display_name
    else:
        name = nicknames.clean(nickname)
        if not name:
            raise LiveError(_l("Choose a nickname."))
        if len(name) > nicknames.MAX_LENGTH:
            raise LiveError(_l("A nickname has at most %(n)s characters.", n=nicknames.MAX_LENGTH))
        if nicknames.blocked_word(name, live.blocklist):
            raise LiveError(_l("Choose another nickname."))
    token = secrets.token_urlsafe(24)
    player = LivePlayer(
        session_id=live.id,
        user_id=member.user_id if member else None,
        nickname=name,
        nickname_key=nicknames.nickname_key(name) or name,
        token_hash=hash_token(token),
        joined_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(player)
    except IntegrityError:
        raise LiveError(_l("This nickname is taken in this game: choose another.")) from None
    return player, token


def player_for(live: LiveSession, token: str | None) -> LivePlayer | None:
    if not token:
        return None
    return db.session.scalar(
        select(LivePlayer).where(
            LivePlayer.session_id == live.id,
            LivePlayer.token_hash == hash_token(token),
            LivePlayer.removed_at.is_(None),
        )
    )


def player_by_token(token: str) -> LivePlayer | None:
    return db.session.scalar(
        select(LivePlayer).where(
            LivePlayer.token_hash == hash_token(token), LivePlayer.removed_at.is_(None)
        )
    )


@dataclass(frozen=True)
class Seat:
    """What an answer needs of its game, read in one statement (`seat`), no ORM object: the
    session's phase (attributes named as `LiveSession`'s), the player, and how many players
    are still in (the answer counter compares with it)."""

    id: int
    version: int
    state: str
    position: int
    deadline: datetime | None
    time_limit: int | None
    paused_remaining_ms: int | None
    streak_bonus: bool
    question_ids: list[int]
    created_at: datetime
    player_id: int
    players: int


def _seat_statement() -> Executable:
    players = (
        select(func.count())
        .select_from(LivePlayer)
        .where(LivePlayer.session_id == LiveSession.id, LivePlayer.removed_at.is_(None))
        .correlate(LiveSession)
        .scalar_subquery()
    )
    return (
        select(
            LiveSession.id,
            LiveSession.version,
            LiveSession.state,
            LiveSession.position,
            LiveSession.deadline,
            LiveSession.time_limit,
            LiveSession.paused_remaining_ms,
            LiveSession.streak_bonus,
            LiveSession.question_ids,
            LiveSession.created_at,
            LivePlayer.id,
            players,
        )
        .join(LivePlayer, LivePlayer.session_id == LiveSession.id)
        .where(
            LiveSession.id == bindparam("session_id"),
            LivePlayer.token_hash == bindparam("token_hash"),
            LivePlayer.removed_at.is_(None),
        )
        .with_for_update(read=True, of=LiveSession.__table__)
    )


SEAT = _seat_statement()  # built once: an answer only binds its parameters


def seat(session_id: int, token: str | None) -> Seat | None:
    """The session and the player a rejoin token names, in one statement that also takes the
    shared lock of `submit_answer` on the session's row (PostgreSQL): the answer's first
    read. None when the token names no player still in this game. Run on the session's
    connection (its transaction), without the ORM's layer: no object is loaded."""
    if not token:
        return None
    row = (
        db.session.connection()
        .execute(SEAT, {"session_id": session_id, "token_hash": hash_token(token)})
        .first()
    )
    return Seat(*tuple(row)) if row is not None else None


def listener(session_id: int, token: str | None) -> tuple[int, int] | None:
    """(the game's version, the player's id) for a phone's stream, in one statement; None when
    the token names no player still in this game."""
    if not token:
        return None
    row = db.session.execute(
        select(LiveSession.version, LivePlayer.id)
        .join(LivePlayer, LivePlayer.session_id == LiveSession.id)
        .where(
            LiveSession.id == session_id,
            LivePlayer.token_hash == hash_token(token),
            LivePlayer.removed_at.is_(None),
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


@dataclass(frozen=True)
class AnswerQuestion:
    """A live question as an answer reads it (a question's version never changes: `Question`
    rows are only added and retired), and the room's order of its choices."""

    id: int
    type: str
    spec: dict[str, Any]
    layout: dict[str, list[int]]


def answer_question(live: Seat | LiveSession, position: int) -> AnswerQuestion:
    """The question at `position` with its layout, read once per process and game
    (`fragments`: keyed by the session and its creation time, as its other entries)."""

    def build() -> AnswerQuestion:
        question = question_at(live, position)
        return AnswerQuestion(
            question.id, question.type, question.spec, layout_of(live, position, question)
        )

    cache: fragments.Fragments = current_app.extensions["live_fragments"]
    return cache.shared(("question", live.id, live.created_at.isoformat(), position), build)


_INSERTS: dict[str, Executable] = {}


def _insert_answer() -> Executable:
    """`INSERT … ON CONFLICT (player_id, position) DO NOTHING RETURNING id`, built once per
    dialect, on the table (Core's path, not the ORM's bulk insert): a repeated answer inserts
    nothing and returns no id."""
    name = db.engine.dialect.name
    statement = _INSERTS.get(name)
    if statement is None:
        insert = postgresql.insert if name == "postgresql" else sqlite.insert
        statement = _INSERTS[name] = (
            insert(ANSWERS)
            .on_conflict_do_nothing(index_elements=["player_id", "position"])
            .returning(ANSWERS.c.id)
        )
    return statement


def submit_answer(
    live: LiveSession | Seat,
    player: LivePlayer | None,
    position: int,
    answer: Any,
    now: datetime | None = None,
) -> LiveAnswer:
    """Grade and store one answer to the open question; refused if late, closed or repeated.

    One INSERT (`ON CONFLICT DO NOTHING`: a second answer inserts nothing and is refused), after
    the shared lock on the session's row: taken here for a `LiveSession`; a `Seat` (the answer
    view's `seat`) was read with it, and names its player (`player` None).
    """
    now = now or utcnow()
    if isinstance(live, Seat):
        player_id = live.player_id
    else:
        assert player is not None
        if player.removed_at is not None or player.session_id != live.id:
            raise LiveError(_l("You are not playing in this game."))
        player_id = player.id
        # PostgreSQL: a shared lock, so that the host's next step (an UPDATE) waits for the
        # answers being written, and an answer never lands on a question already moved past.
        found = db.session.scalar(
            select(LiveSession)
            .where(LiveSession.id == live.id)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
        assert found is not None
        live = found
    if live.state != LiveState.question or live.position != position:
        raise LiveError(_l("This question is closed: your answer was not counted."))
    if live.paused_remaining_ms is not None:
        raise LiveError(_l("The game is paused: answer when it resumes."))
    if live.deadline is None or now > live.deadline:
        raise LiveError(_l("Time was up: this answer counts for nothing."))
    if answer is None:
        raise LiveError(_l("Choose an answer first."))
    question = answer_question(live, position)
    result = qtypes.grade(question.spec, answer)
    limit_ms = (live.time_limit or 1) * 1000
    elapsed_ms = max(0, limit_ms - int((live.deadline - now).total_seconds() * 1000))
    points = scoring.speed_points(result.score, elapsed_ms, limit_ms)
    if live.streak_bonus and result.correct and position > 0:
        answers = ANSWERS.c
        earlier = dict(
            db.session.execute(
                select(answers.position, answers.score).where(
                    answers.player_id == player_id, answers.position < position
                )
            ).all()
        )
        run = scoring.streak_before(earlier.get(p) for p in range(position))
        points += scoring.streak_bonus(run, result.score)
    values = {
        "session_id": live.id,
        "player_id": player_id,
        "position": position,
        "question_id": question.id,
        "answer": answer,
        "answered_at": now,
        "elapsed_ms": elapsed_ms,
        "score": result.score,
        "points": points,
    }
    stored = db.session.connection().execute(_insert_answer(), values).scalar()
    if stored is None:
        raise LiveError(_l("You have already answered this question."))
    return LiveAnswer(id=stored, **values)  # not in the session: what was stored, to read


def all_answered(session_id: int, position: int) -> bool:
    """Has everyone still in the game answered question `position`? One statement, no object
    loaded (the answer's view calls it right after its commit)."""
    players = (
        select(func.count())
        .select_from(LivePlayer)
        .where(LivePlayer.session_id == session_id, LivePlayer.removed_at.is_(None))
        .scalar_subquery()
    )
    answered = (
        select(func.count())
        .select_from(LiveAnswer)
        .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
        .where(
            LiveAnswer.session_id == session_id,
            LiveAnswer.position == position,
            LivePlayer.removed_at.is_(None),
        )
        .scalar_subquery()
    )
    return bool(db.session.scalar(select((players > 0) & (answered >= players))))


def close_if_all_answered(
    live: LiveSession, now: datetime | None = None, position: int | None = None
) -> bool:
    """Everyone still in the game answered question `position` (the current one): close it
    early."""
    now = now or utcnow()
    position = live.position if position is None else position
    if not all_answered(live.id, position):
        return False
    db.session.refresh(live)
    if live.state != LiveState.question or live.position != position:
        return False
    return _move(live, now, state=LiveState.reveal.value, deadline=now)


# --- reading ----------------------------------------------------------------------------------


def active_players(live: LiveSession) -> list[LivePlayer]:
    return list(
        db.session.scalars(
            select(LivePlayer)
            .where(LivePlayer.session_id == live.id, LivePlayer.removed_at.is_(None))
            .order_by(LivePlayer.joined_at, LivePlayer.id)
        )
    )


def removed_player_ids(live: LiveSession) -> list[int]:
    return list(
        db.session.scalars(
            select(LivePlayer.id).where(
                LivePlayer.session_id == live.id, LivePlayer.removed_at.is_not(None)
            )
        )
    )


def active_player_count(live: LiveSession) -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(
                LivePlayer.session_id == live.id, LivePlayer.removed_at.is_(None)
            )
        )
        or 0
    )


def answer_of(player: LivePlayer, position: int) -> LiveAnswer | None:
    return db.session.scalar(
        select(LiveAnswer).where(LiveAnswer.player_id == player.id, LiveAnswer.position == position)
    )


def answer_count(live: LiveSession) -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(
                LiveAnswer.session_id == live.id, LiveAnswer.position == live.position
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Row:
    rank: int
    player: LivePlayer
    points: int
    elapsed_ms: int
    right: int


def leaderboard(live: LiveSession) -> list[Row]:
    """Every player still in, best first (points, then less time): one query."""
    players = {p.id: p for p in active_players(live)}
    totals = {
        pid: (int(points or 0), int(elapsed or 0), int(right or 0))
        for pid, points, elapsed, right in db.session.execute(
            select(
                LiveAnswer.player_id,
                func.sum(LiveAnswer.points),
                func.sum(LiveAnswer.elapsed_ms),
                func.sum(LiveAnswer.score),
            )
            .where(LiveAnswer.session_id == live.id)
            .group_by(LiveAnswer.player_id)
        )
    }
    standings = scoring.rank(
        (pid, totals.get(pid, (0, 0, 0))[0], totals.get(pid, (0, 0, 0))[1]) for pid in players
    )
    return [
        Row(
            s.rank,
            players[s.player_id],
            s.points,
            s.elapsed_ms,
            totals.get(s.player_id, (0, 0, 0))[2],
        )
        for s in standings
    ]


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    right: bool
    shape: int | None = None  # the choice's place on the phones (its shape and colour)


def distribution(live: LiveSession, question: Question) -> list[Bar]:
    """How many players gave each answer to the current question (described in words); the
    choices of single and true/false questions in the room's order, with their shapes."""
    kind = qtypes.get(question.type)
    spec = question.spec
    counts: dict[str, list[Any]] = {}
    shapes: dict[str, int] = {}
    if question.type in ("single", "true_false"):
        key = kind.correct_answer(spec)
        if question.type == "single":
            options: list[Any] = layout_of(live, live.position, question).get(
                "choices", list(range(len(spec["choices"])))
            )
        else:
            options = [True, False]
        for place, option in enumerate(options):
            label = kind.describe(spec, option)
            counts[label] = [0, option == key]
            shapes[label] = place
    rows = db.session.execute(
        select(LiveAnswer.answer, LiveAnswer.score).where(
            LiveAnswer.session_id == live.id, LiveAnswer.position == live.position
        )
    ).all()
    for answer, score in rows:
        try:
            label = kind.describe(spec, answer)
        except (ValueError, IndexError, TypeError, KeyError):
            label = str(answer)
        slot = counts.setdefault(label, [0, score >= 1 - 1e-9])
        slot[0] += 1
    return [Bar(label, count, right, shapes.get(label)) for label, (count, right) in counts.items()]

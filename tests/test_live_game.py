"""A live game over HTTP, without JavaScript: the host's projector page and controls, players
joining with the PIN, answering on the refreshing pages, the reveal, the podium, the files and
the gradebook entry; and what is refused (wrong PINs past the limit, non-players' answers, the
key before the question closes)."""

from __future__ import annotations

import re

import pytest
from helpers import PASSWORD
from sqlalchemy import select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.enums import AssignmentKind, LiveState
from quizapp.live import scoring
from quizapp.models import Assignment, Attempt, LiveAnswer, LiveSession


@pytest.fixture
def app_config():
    return {"LIVE_PIN_RATE_LIMIT": "3 per minute"}


def login(client, username):
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302


def button_for(page, label):
    """The value of the one-tap answer button showing `label` (choices are shuffled)."""
    buttons = re.findall(
        r'name="answer" value="(\d+)"[^>]*>.*?<span lang="en">(.*?)</span>', page, re.S
    )
    return next(value for value, shown in buttons if shown.strip() == label)


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def world(db, make_user, make_set, app):
    teacher = make_user("teacher", role="teacher")
    zoe = make_user("zoe")
    question_set = make_set()
    classroom = create_classroom(teacher, "5e B", "Europe/Paris")
    join_class(classroom, zoe, "Zoé")
    db.session.commit()
    host = app.test_client()
    login(host, "teacher")
    response = host.post(
        "/live/new",
        data={
            "set_id": question_set.id,
            "classroom_id": classroom.id,
            "names": "shown",
            "streak_bonus": "y",
        },
    )
    assert response.status_code == 302
    live = db.session.scalar(select(LiveSession))
    assert response.headers["Location"].endswith(f"/live/{live.id}/host")
    return {"host": host, "live": live, "classroom": classroom, "set": question_set}


def test_a_whole_game_without_javascript(app, db, world):
    host, live = world["host"], world["live"]
    lobby = text(host.get(f"/live/{live.id}/host"))
    assert live.pin in lobby and f"/live/join?pin={live.pin}" in lobby and "<svg" in lobby
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in lobby

    member = app.test_client()
    login(member, "zoe")
    assert member.post("/live/join", data={"pin": live.pin}).status_code == 302
    guest = app.test_client()
    joined = guest.post("/live/join", data={"pin": live.pin, "nickname": "<b>Eve</b>"})
    assert joined.headers["Location"].endswith(f"/live/play/{live.id}")
    waiting = text(guest.get(f"/live/play/{live.id}"))
    assert "You are in!" in waiting
    assert f'http-equiv="refresh" content="2; url=/live/play/{live.id}"' in waiting
    assert "&lt;b&gt;Eve&lt;/b&gt;" in waiting and "<b>Eve</b>" not in waiting
    rejoin = re.search(r'href="(http://localhost/live/rejoin/[^"]+)"', waiting).group(1)
    lobby = text(host.get(f"/live/{live.id}/host"))
    assert "&lt;b&gt;Eve&lt;/b&gt;" in lobby and "<b>Eve</b>" not in lobby
    assert "Zoé" in lobby

    assert host.post(f"/live/{live.id}/control/start").status_code == 302
    question = text(guest.get(f"/live/play/{live.id}"))
    assert "When was OpenAI founded?" in question
    assert "In 2015, as a non-profit." not in question  # no key before the question closes
    assert 'http-equiv="refresh"' not in question  # the answer form is not reloaded away
    right, wrong = button_for(question, "2015"), button_for(question, "2014")  # one tap answers

    # Another phone takes the guest's place with the rejoin link; the answer counts once.
    other_phone = app.test_client()
    assert other_phone.get(rejoin.removeprefix("http://localhost")).status_code == 302
    assert (
        other_phone.post(
            f"/live/play/{live.id}/answer", data={"position": "0", "answer": right}
        ).status_code
        == 302
    )
    again = guest.post(f"/live/play/{live.id}/answer", data={"position": "0", "answer": wrong})
    assert again.status_code == 409 and "already answered" in text(again)
    assert "1 of 2 answered" in text(host.get(f"/live/{live.id}/host"))
    stranger = app.test_client()
    refused = stranger.post(f"/live/play/{live.id}/answer", data={"position": "0", "answer": "1"})
    assert refused.status_code == 403

    member.post(f"/live/play/{live.id}/answer", data={"position": "0", "answer": wrong})
    # Everyone answered: the question closed by itself.
    revealed = text(guest.get(f"/live/play/{live.id}"))
    assert "Right!" in revealed and "In 2015, as a non-profit." in revealed
    projector = text(host.get(f"/live/{live.id}/host"))
    assert "Leaderboard" in projector and "<progress" in projector
    assert "&lt;b&gt;Eve&lt;/b&gt;" in projector
    eve = db.session.scalar(select(LiveAnswer).where(LiveAnswer.score == 1.0))
    assert eve.points == scoring.speed_points(1.0, eve.elapsed_ms, 20_000)

    host.post(f"/live/{live.id}/control/next")
    host.post(f"/live/{live.id}/control/skip")  # closed with nobody's answer
    host.post(f"/live/{live.id}/control/next")  # after the last: the podium
    db.session.refresh(live)
    assert live.state == LiveState.finished
    podium = text(host.get(f"/live/{live.id}/host"))
    assert "Podium" in podium and "gradebook" in podium
    assert "Game over" in text(guest.get(f"/live/play/{live.id}"))
    over = text(member.get(f"/live/play/{live.id}"))  # a wrong answer, a skipped question
    assert "0 right out of 2 questions" in over and "missed questions come back" in over
    csv = host.get(f"/live/{live.id}/results.csv")
    assert csv.status_code == 200 and "<b>Eve</b>" in text(csv) and str(eve.points) in text(csv)
    assert host.get(f"/live/{live.id}/results.xlsx").status_code == 200

    assignment = db.session.scalar(select(Assignment))
    assert assignment.kind == AssignmentKind.live
    attempt = db.session.scalar(select(Attempt))
    assert attempt.assignment_id == assignment.id and attempt.score == 0.0
    # The PIN expired with the game.
    assert guest.post("/live/join", data={"pin": live.pin, "nickname": "Late"}).status_code == 404


def test_wrong_pins_are_limited_per_address_and_right_ones_are_not_counted(app, world):
    live = world["live"]
    player = app.test_client()
    wrong = "000000" if live.pin != "000000" else "111111"
    statuses = [
        player.post("/live/join", data={"pin": wrong, "nickname": f"p{i}"}).status_code
        for i in range(3)
    ]
    assert statuses == [404, 404, 404]
    assert player.post("/live/join", data={"pin": wrong, "nickname": "p"}).status_code == 429
    # The right PIN is refused too from this address now: the limit is per address.
    assert player.post("/live/join", data={"pin": live.pin, "nickname": "p"}).status_code == 429


def test_successful_joins_do_not_use_up_the_limit(app, world):
    live = world["live"]
    for i in range(6):
        client = app.test_client()
        assert (
            client.post("/live/join", data={"pin": live.pin, "nickname": f"p{i}"}).status_code
            == 302
        )


def test_a_member_with_every_answer_right_is_not_told_of_missed_questions(app, db, world):
    host, live = world["host"], world["live"]
    member = app.test_client()
    login(member, "zoe")
    member.post("/live/join", data={"pin": live.pin})
    for position, right in enumerate(["2015", "Microsoft"]):
        host.post(f"/live/{live.id}/control/{'next' if position else 'start'}")
        page = text(member.get(f"/live/play/{live.id}"))
        answer = {"position": str(position), "answer": button_for(page, right)}
        assert member.post(f"/live/play/{live.id}/answer", data=answer).status_code == 302
    host.post(f"/live/{live.id}/control/next")  # after the last: the podium
    over = text(member.get(f"/live/play/{live.id}"))
    assert "2 right out of 2 questions" in over
    assert "missed questions" not in over


def test_the_host_removes_a_player_whose_answers_are_then_refused(app, db, world):
    host, live = world["host"], world["live"]
    guest = app.test_client()
    guest.post("/live/join", data={"pin": live.pin, "nickname": "Rude"})
    player_id = db.session.scalar(select(LiveSession.id))  # noqa: F841 (the session exists)
    from quizapp.models import LivePlayer

    player = db.session.scalar(select(LivePlayer))
    assert host.post(f"/live/{live.id}/players/{player.id}/remove").status_code == 302
    host.post(f"/live/{live.id}/control/start")
    assert guest.get(f"/live/play/{live.id}").status_code == 302  # back to the join page
    answer = guest.post(f"/live/play/{live.id}/answer", data={"position": "0", "answer": "1"})
    assert answer.status_code == 403


def test_the_streams_speak_server_sent_events(app, world):
    host, live = world["host"], world["live"]
    guest = app.test_client()
    guest.post("/live/join", data={"pin": live.pin, "nickname": "Eve"})
    stream = guest.get(f"/live/play/{live.id}/events")
    assert stream.mimetype == "text/event-stream"
    body = text(stream)
    assert body.startswith("retry: 2000")
    assert f'event: version\ndata: {{"version": {live.version}}}' in body  # to catch up
    assert host.get(f"/live/{live.id}/events").mimetype == "text/event-stream"


def test_a_quiet_stream_sends_a_comment_now_and_then(app, world, monkeypatch):
    """A stream with nothing to say (the lobby) sends an SSE comment every KEEP_ALIVE_SECONDS,
    so that a reverse proxy's read timeout does not cut it; a browser ignores comments."""
    from quizapp.live import views

    live = world["live"]
    monkeypatch.setattr(views, "KEEP_ALIVE_SECONDS", 0.1)
    app.config["LIVE_STREAM_SECONDS"] = 2  # the stream ends after 1 to 3 s
    guest = app.test_client()
    guest.post("/live/join", data={"pin": live.pin, "nickname": "Quiet"})
    body = text(guest.get(f"/live/play/{live.id}/events"))
    assert body.count(": keep-alive\n\n") >= 5, body
    assert "event: phase" not in body  # nothing happened in the game


def test_an_answer_and_a_phone_page_cost_the_same_whatever_the_room(app, db, world, count_queries):
    """The hot paths of a game, the answer and the phone's page, cost a fixed number of
    statements: the same for two players, and far fewer than the 30 players in the room."""
    host, live = world["host"], world["live"]
    phones = []
    for i in range(30):
        phone = app.test_client()
        phone.post("/live/join", data={"pin": live.pin, "nickname": f"p{i}"})
        phones.append(phone)
    host.post(f"/live/{live.id}/control/start")
    costs = []
    for phone in phones[:2]:
        app.extensions["live_fragments"].clear()  # each page as the first phone's: cold
        with count_queries() as page:
            question = text(phone.get(f"/live/play/{live.id}"))
        with count_queries() as answer:
            phone.post(
                f"/live/play/{live.id}/answer",
                data={"position": "0", "answer": button_for(question, "2015")},
            )
        costs.append((page.count, answer.count))
    assert costs[0] == costs[1]
    assert costs[0][0] <= 10 and costs[0][1] <= 15, costs  # nothing per player


def test_every_question_type_is_playable_on_a_phone(app, db, make_user, make_set):
    """Each of the seven types shows its answer controls on the phone, no key, and a blank
    answer is refused with a message (409), never stored."""
    from quizapp import qtypes
    from quizapp.live import services

    questions = [
        {**qtype.sample.spec, "id": f"q-{name.replace('_', '-')}"}
        for name, qtype in qtypes.REGISTRY.items()
    ]
    question_set = make_set(questions=questions)
    teacher = make_user("host", role="teacher")
    live = services.create_session(teacher, question_set)
    db.session.commit()
    phone = app.test_client()
    phone.post("/live/join", data={"pin": live.pin, "nickname": "Ada"})
    for position, name in enumerate(qtypes.REGISTRY):
        services.skip(live)
        services.next_question(live)
        db.session.commit()
        page = text(phone.get(f"/live/play/{live.id}"))
        assert 'class="live-answer"' in page, name
        assert f'name="position" type="hidden" value="{position}"' in page, name
        spec = qtypes.REGISTRY[name].sample.spec
        if spec.get("explanation"):
            assert spec["explanation"] not in page, name
        blank = phone.post(f"/live/play/{live.id}/answer", data={"position": str(position)})
        assert blank.status_code == 409, name
    assert db.session.scalar(select(LiveAnswer)) is None
    db.session.refresh(live)
    assert live.time_limit == scoring.default_time_limit("match")  # the last: a longer time


def test_the_question_is_rendered_once_per_step_and_never_carries_a_player_or_the_key(
    app, db, world, count_queries
):
    """The second phone's question page reuses the markup the first one built (fewer
    statements), with its own CSRF token and name; after the reveal, the key and each
    player's own verdict and rank."""
    host, live = world["host"], world["live"]
    app.config["WTF_CSRF_ENABLED"] = True
    phones = {}
    for name in ("Ada", "Bob"):
        phone = app.test_client()
        join_page = text(phone.get(f"/live/join?pin={live.pin}"))
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', join_page).group(1)
        joined = phone.post(
            "/live/join", data={"csrf_token": token, "pin": live.pin, "nickname": name}
        )
        assert joined.status_code == 302
        phones[name] = phone
    app.config["WTF_CSRF_ENABLED"] = False
    host.post(f"/live/{live.id}/control/start")
    app.config["WTF_CSRF_ENABLED"] = True
    pages, costs = {}, []
    for name, phone in phones.items():
        with count_queries() as page:
            pages[name] = text(phone.get(f"/live/play/{live.id}"))
        costs.append(page.count)
    assert costs[1] < costs[0], costs  # the question and its set were not read again
    tokens = {
        n: re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', p).group(1)
        for n, p in pages.items()
    }
    assert tokens["Ada"] != tokens["Bob"]
    assert "Playing as Ada" in pages["Ada"] and "Bob" not in pages["Ada"]
    assert "Playing as Bob" in pages["Bob"] and "Ada" not in pages["Bob"]
    for page in pages.values():
        assert "In 2015, as a non-profit." not in page  # no key while the question is open
        assert button_for(page, "2015") == button_for(pages["Ada"], "2015")  # one layout
    ada = phones["Ada"].post(
        f"/live/play/{live.id}/answer",
        data={
            "csrf_token": tokens["Ada"],
            "position": "0",
            "answer": button_for(pages["Ada"], "2015"),
        },
    )
    assert ada.status_code == 302
    bob = phones["Bob"].post(
        f"/live/play/{live.id}/answer",
        data={
            "csrf_token": tokens["Bob"],
            "position": "0",
            "answer": button_for(pages["Bob"], "2014"),
        },
    )
    assert bob.status_code == 302  # everyone answered: closed
    ada_page = text(phones["Ada"].get(f"/live/play/{live.id}"))
    bob_page = text(phones["Bob"].get(f"/live/play/{live.id}"))
    assert "Right!" in ada_page and "Rank 1" in ada_page
    assert "Not this time." in bob_page and "Rank 2" in bob_page
    assert "In 2015, as a non-profit." in ada_page and "In 2015, as a non-profit." in bob_page


def test_a_phone_stream_carries_the_open_question_and_nothing_of_the_key(app, db, world):
    """The `phase` event of an open question carries its markup (prompt, countdown, form with
    an empty CSRF token for the page to fill); a removed player, a closed question and a
    stale version get the version only, so the page is fetched."""
    from quizapp.live import services
    from quizapp.live.views import phase_data
    from quizapp.models import LivePlayer

    host, live = world["host"], world["live"]
    phones = []
    for name in ("Ada", "Bob"):
        phone = app.test_client()
        phone.post("/live/join", data={"pin": live.pin, "nickname": name})
        phones.append(phone)
    host.post(f"/live/{live.id}/control/start")
    db.session.refresh(live)
    ada, bob = db.session.scalars(select(LivePlayer).order_by(LivePlayer.id)).all()
    with app.test_request_context():
        data = phase_data(app, live.id, live.version, (ada.id, "fr", "http://localhost/"))
    assert data["version"] == live.version and data["position"] == 0
    assert 0 < data["remaining_ms"] <= 20_000
    html = data["html"]
    assert "When was OpenAI founded?" in html and 'name="answer"' in html
    assert f'action="/live/play/{live.id}/answer"' in html
    assert "secondes" in html  # the player's language
    assert "In 2015, as a non-profit." not in html and "Ada" not in html
    page = text(phones[0].get(f"/live/play/{live.id}"))
    assert button_for(page, "2015") in re.findall(r'name="answer" value="(\d+)"', html)

    host.post(f"/live/{live.id}/players/{bob.id}/remove")
    db.session.refresh(live)
    with app.test_request_context():
        removed = phase_data(app, live.id, live.version, (bob.id, "en", "http://localhost/"))
        stale = phase_data(app, live.id, live.version - 1, (ada.id, "en", "http://localhost/"))
    assert removed == {"version": live.version}
    assert "html" not in stale
    services.skip(live)
    db.session.commit()
    with app.test_request_context():
        closed = phase_data(app, live.id, live.version, (ada.id, "en", "http://localhost/"))
    assert closed == {"version": live.version}


def test_an_answer_s_csrf_token_is_checked_once_by_the_app(app, db, world):
    """The answer form has no token field of its own (it would sign a new token on every
    answer and check the posted one again): the app's CSRF check refuses an answer without
    the page's token, stores nothing, and takes one with it."""
    from quizapp.live import forms, services

    host, live = world["host"], world["live"]
    phone = app.test_client()
    assert phone.post("/live/join", data={"pin": live.pin, "nickname": "Ada"}).status_code == 302
    host.post(f"/live/{live.id}/control/start")
    app.config["WTF_CSRF_ENABLED"] = True
    page = text(phone.get(f"/live/play/{live.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with app.test_request_context(method="POST"):
        question = services.question_at(live, 0)
        form = forms.answer_form(question, services.layout_of(live, 0, question))
        assert "csrf_token" not in form
    answer = {"position": "0", "answer": button_for(page, "2015")}
    refused = phone.post(f"/live/play/{live.id}/answer", data=answer)
    assert refused.status_code == 400
    assert db.session.scalars(select(LiveAnswer)).all() == []
    taken = phone.post(f"/live/play/{live.id}/answer", data={**answer, "csrf_token": token})
    assert taken.status_code == 302
    assert len(db.session.scalars(select(LiveAnswer)).all()) == 1

"""Statements per request, counted as production runs them (each request its own session):
the hot pages cost the same whatever the size of the quiz or of the class."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import PASSWORD, answer_attempt, assign
from sqlalchemy import func, select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.models import Attempt, QuestionAttempt, QuestionProgress, utcnow


def questions(size: int) -> list[dict]:
    return [
        {"id": f"q{i}", "type": "single", "prompt": f"Q{i}?", "choices": ["a", "b"], "answer": "b"}
        for i in range(size)
    ]


# the user; the attempt with its set; the claim, then the attempt again; its responses; their
# questions; the teachers' score overrides; the progress rows; then one write each for the
# responses, the new progress rows and the attempt
SUBMIT_STATEMENTS = 11  # one of them reads the teachers' score overrides


def submit_count(db, client, make_set, count_queries, slug: str, size: int) -> int:
    """Statements of the submit of a `size`-question attempt, every question answered."""
    make_set(questions(size), id=slug, settings={"feedback": "after_submit"})
    url = client.post(f"/quizzes/{slug}/start").headers["Location"]
    attempt_id = int(url.split("/")[2])
    # Answers saved as the question page saves them, written here to keep the test quick;
    # half right, half wrong (a wrong one puts its question in review).
    for response in db.session.scalars(
        select(QuestionAttempt).where(QuestionAttempt.attempt_id == attempt_id)
    ):
        response.answer = response.position % 2
        response.answered_at = utcnow()
    db.session.commit()
    with count_queries() as counter:
        assert client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    graded = db.session.get(Attempt, attempt_id)
    assert graded.state == "graded" and graded.score == size // 2
    assert (
        db.session.scalar(select(func.count()).where(QuestionProgress.set_id == graded.set_id))
        == size
    )
    return counter.count


def test_submitting_costs_the_same_for_3_questions_or_200(
    auth, client, db, make_set, count_queries
):
    auth.register()
    small = submit_count(db, client, make_set, count_queries, "small", 3)
    large = submit_count(db, client, make_set, count_queries, "large", 200)
    assert small == large == SUBMIT_STATEMENTS


def class_page_count(app, db, make_user, make_set, count_queries, students: int) -> int:
    teacher = make_user(role="teacher")
    question_set = make_set()
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    now = utcnow()
    for i in range(students):
        join(classroom, make_user(), f"Student {i}")
    db.session.commit()
    assign(db, classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1))
    assign(db, classroom, question_set, now - timedelta(days=3), now - timedelta(days=2))
    client = app.test_client()
    login = client.post("/auth/login", data={"username": teacher.username, "password": PASSWORD})
    assert login.status_code == 302
    with count_queries() as counter:
        page = client.get(f"/classes/{classroom.id}")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("Student ") >= students
    return counter.count


# the user, the class, its students with their accounts, its assignments with their sets,
# the done counts...: none per student
CLASS_PAGE_STATEMENTS = 7


def test_the_class_page_costs_the_same_for_3_students_or_30(
    app, db, make_user, make_set, count_queries
):
    small = class_page_count(app, db, make_user, make_set, count_queries, 3)
    large = class_page_count(app, db, make_user, make_set, count_queries, 30)
    assert small == large == CLASS_PAGE_STATEMENTS


# the user; the attempt with its set, assignment, this question and the question map (every
# question's state, a subquery of the same statement: quiz.attempts.question_page)
QUESTION_PAGE_STATEMENTS = 2
# the user; the attempt with its set, assignment, this question and its version, and the
# map (quiz.attempts.question_page); the hold on the attempt; the answer
SAVE_STATEMENTS = 4


@pytest.mark.parametrize("size", [3, 40])
def test_the_question_page_runs_two_statements_and_saving_four(
    auth, client, make_set, count_queries, size
):
    make_set(questions(size), settings={"feedback": "after_submit"})
    auth.register()
    url = client.post("/quizzes/sample/start").headers["Location"]
    with count_queries() as page:
        assert client.get(url).status_code == 200
    # the user; the attempt with its set and assignment, the response with its question and
    # the map, in one statement
    assert page.count == QUESTION_PAGE_STATEMENTS, page.statements
    with count_queries() as save:
        saved = client.post(url, data={"answer": "1", "action": "next"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/questions/2")
    assert save.count == SAVE_STATEMENTS, save.statements
    page = client.get(url).get_data(as_text=True)
    assert f"1 of {size} answered" in page and f"Question 1 of {size}" in page
    # A refused answer (checked blank) shows the page again, its map read on its own.
    second = url.rsplit("/", 1)[0] + "/2"
    refused = client.post(second, data={"action": "check"})
    shown = refused.get_data(as_text=True)
    assert refused.status_code == 422 and shown.count('<li class="qmap__item') == size
    assert f"1 of {size} answered" in shown


def summary(statements: list[str]) -> str:
    """Each statement's start and its FROM, one per line: what a failed count shows."""
    lines = []
    for statement in statements:
        words = " ".join(statement.split())
        source = words.find(" FROM ")
        lines.append(words[:40] + (" ..." + words[source : source + 60] if source > 0 else ""))
    return "\n".join(lines)


def classroom_world(db, make_user, make_set, students: int, attempts: int):
    """A teacher, a class of `students`, a closed and an open assignment of a 3-question
    set, `attempts` graded attempts per student on the closed one and one in progress on the
    open one: (teacher, classroom, the first student)."""
    teacher = make_user(role="teacher")
    question_set = make_set(questions(3), settings={"feedback": "after_submit"})
    other_set = make_set(questions(3), id="other", settings={"feedback": "after_due"})
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    other_class = create_classroom(teacher, "B", "UTC")
    pupils = [make_user() for _ in range(students)]
    for i, pupil in enumerate(pupils):
        join(classroom, pupil, f"Student {i}")
        join(other_class, pupil, f"Student {i}")
    db.session.commit()
    now = utcnow()
    closed = assign(db, classroom, question_set, now - timedelta(days=3), now + timedelta(hours=1))
    opened = assign(db, classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1))
    # another set in another class: its key hidden until it is due
    assign(db, other_class, other_set, now - timedelta(hours=1), now + timedelta(days=2))
    for pupil in pupils:
        for n in range(attempts):
            answer_attempt(
                db,
                pupil,
                question_set,
                [1, 0, None],
                now - timedelta(hours=2, minutes=n),
                submit_at=now - timedelta(hours=1, minutes=n),
                assignment=closed,
            )
        answer_attempt(db, pupil, question_set, [1], now, assignment=opened)
    return teacher, classroom, pupils[0]


# the user; the student's assignments with their sets and classes; their standing (one row per
# assignment); 20 attempts of history; 30 for the chart; mastery; the review count (the hidden
# keys come from the assignments already read); the sets' topics
DASHBOARD_STATEMENTS = 8
# the user; the class; its assignments with their sets; the student count; a page of
# students; their cells; the attempts in progress; the column statistics
GRADEBOOK_STATEMENTS = 9


@pytest.mark.parametrize(("students", "attempts"), [(2, 1), (12, 3)])
def test_the_dashboard_and_the_gradebook_cost_the_same_whatever_the_size(
    app, db, make_user, make_set, count_queries, students, attempts
):
    teacher, classroom, student = classroom_world(db, make_user, make_set, students, attempts)
    pupil = app.test_client()
    assert (
        pupil.post(
            "/auth/login", data={"username": student.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    with count_queries() as dashboard:
        page = pupil.get("/dashboard")
    assert page.status_code == 200 and "Sample set" in page.get_data(as_text=True)
    assert dashboard.count == DASHBOARD_STATEMENTS, summary(dashboard.statements)
    marker = app.test_client()
    assert (
        marker.post(
            "/auth/login", data={"username": teacher.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    with count_queries() as gradebook:
        page = marker.get(f"/classes/{classroom.id}/gradebook")
    assert page.status_code == 200 and "Student 1" in page.get_data(as_text=True)
    assert gradebook.count == GRADEBOOK_STATEMENTS, summary(gradebook.statements)


# --- live mode -------------------------------------------------------------------------------

# the seat (the session with its shared lock, the player, the players still in); the INSERT;
# then, without Redis to count the answers, "has everyone answered?"
LIVE_ANSWER_STATEMENTS = 3
# with Redis counting them, that last question is asked only once the count reaches the players
LIVE_ANSWER_STATEMENTS_COUNTED = 2
# a phone's stream opening: the game's version and the player, in one; one more when this
# process's check of the game (every 2 s, and first thing in a process) falls to it
LIVE_STREAM_STATEMENTS = (1, 2)


def live_game(app, db, make_user, make_set, players: int):
    """A game of nickname players, its first question open: (the session, their phones)."""
    from quizapp.live import services

    teacher = make_user("host", role="teacher")
    live = services.create_session(teacher, make_set())
    db.session.commit()
    phones = []
    for i in range(players):
        phone = app.test_client()
        joined = phone.post("/live/join", data={"pin": live.pin, "nickname": f"p{i}"})
        assert joined.status_code == 302
        phones.append(phone)
    services.next_question(live)
    db.session.commit()
    return live, phones


def answer_counts(count_queries, live, phones) -> list[int]:
    """Statements of each phone's answer to the open question (the first one warms the
    process's copy of the question)."""
    counts = []
    url = f"/live/play/{live.id}/answer"
    for phone in phones:
        with count_queries() as counter:
            answered = phone.post(url, data={"position": "0", "answer": "0"})
        assert answered.status_code == 302, summary(counter.statements)
        counts.append(counter.count)
    return counts


@pytest.mark.parametrize("players", [4, 30])
def test_a_live_answer_costs_the_same_whatever_the_room(
    app, db, make_user, make_set, count_queries, players
):
    live, phones = live_game(app, db, make_user, make_set, players)
    counts = answer_counts(count_queries, live, phones[:3])
    assert counts[1:] == [LIVE_ANSWER_STATEMENTS] * 2, counts
    assert counts[0] == LIVE_ANSWER_STATEMENTS + 1  # the question, once per process and game


def test_a_live_answer_counted_in_redis_costs_two_statements(
    app, db, make_user, make_set, count_queries
):
    from test_two_servers import REDIS_URL

    from quizapp.live import broker
    from quizapp.models import LiveSession

    if not REDIS_URL:
        pytest.skip("QUIZAPP_TEST_REDIS_URL not set")
    app.config["LIVE_BROKER_URL"] = REDIS_URL
    broker.init_app(app)
    live, phones = live_game(app, db, make_user, make_set, 8)
    counts = answer_counts(count_queries, live, phones)
    assert counts[1:4] == [LIVE_ANSWER_STATEMENTS_COUNTED] * 3, counts
    # The room's last few answers ask the database (ASK_LAST), the last closes the question.
    assert counts[4:7] == [LIVE_ANSWER_STATEMENTS] * 3, counts
    assert counts[7] > LIVE_ANSWER_STATEMENTS
    db.session.expire_all()
    assert db.session.get(LiveSession, live.id).state == "reveal"


@pytest.mark.parametrize("players", [2, 30])
def test_a_live_stream_costs_the_same_whatever_the_room(
    app, db, make_user, make_set, count_queries, players
):
    """A phone's stream opening reads a fixed number of statements, and the question's event
    is built once per process and version: the second phone's costs no statement."""
    from quizapp.live.views import phase_event
    from quizapp.models import LivePlayer

    live, phones = live_game(app, db, make_user, make_set, players)
    app.config["LIVE_STREAM_SECONDS"] = 0
    url, live_id, version = f"/live/play/{live.id}/events", live.id, live.version
    for phone in phones[:2]:
        with count_queries() as counter:
            stream = phone.get(url)
            assert b"event: version" in stream.get_data()
        assert counter.count in LIVE_STREAM_STATEMENTS, summary(counter.statements)
    ids = db.session.scalars(select(LivePlayer.id).order_by(LivePlayer.id)).all()
    events = []
    for player_id in ids[:2]:
        with count_queries() as counter, app.test_request_context():
            event = phase_event(app, live_id, version, (player_id, "en", "http://localhost/"))
        assert b'"html": ' in event
        events.append(counter.count)
    assert events[1] == 0, events

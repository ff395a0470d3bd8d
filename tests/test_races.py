"""Concurrent requests on one attempt, on two real connections (one thread and one session
each), in the interleavings that lost answers or raised 500s: an acknowledged answer is always
in the graded score, an attempt is graded once, attempt numbers never collide.

Each race is forced rather than left to chance: one request is held at its first write
(before or after it) while the other runs, through an engine event that only that thread's
statements trip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from helpers import PASSWORD, answer_attempt, assign
from sqlalchemy import event, func, select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.models import Attempt, QuestionAttempt, QuestionProgress, utcnow

WRITES = ("UPDATE", "INSERT", "DELETE")
# How long a request held at its write keeps the other waiting: the other must still be
# blocked at the end of it (it takes the same lock), then finish once the first commits.
HOLD = 0.5


class Race:
    """Requests run in named threads, each with its own client (its own cookie jar)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.threads: dict[str, threading.Thread] = {}
        self.results: dict[str, Any] = {}

    def client(self, username: str) -> Any:
        client = self.app.test_client()
        login = client.post("/auth/login", data={"username": username, "password": PASSWORD})
        assert login.status_code == 302
        return client

    def run(self, name: str, request: Callable[[], Any]) -> threading.Thread:
        def target() -> None:
            self.results[name] = request()

        thread = threading.Thread(target=target, name=name, daemon=True)
        self.threads[name] = thread
        thread.start()
        return thread

    def join(self) -> dict[str, Any]:
        for thread in self.threads.values():
            thread.join(timeout=30)
            assert not thread.is_alive(), f"{thread.name} never finished"
        return self.results


@contextmanager
def holding(
    race: Race, engine: Any, thread: str, *, after: bool
) -> Iterator[tuple[threading.Event, Callable[[], None]]]:
    """Hold the request run by `thread` just before (or after) its first write statement until
    `go()`; `reached` is set once it is held there. On exit every request of the race is done."""
    reached, go = threading.Event(), threading.Event()

    def hold(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if (
            threading.current_thread().name == thread
            and not reached.is_set()
            and statement.lstrip().upper().startswith(WRITES)
        ):
            reached.set()
            go.wait(timeout=30)

    name = "after_cursor_execute" if after else "before_cursor_execute"
    event.listen(engine, name, hold)
    try:
        yield reached, go.set
    finally:
        go.set()
        race.join()  # before removing the listener, which the held thread may still be in
        event.remove(engine, name, hold)


@pytest.fixture
def quiz(app, db, make_set, make_user):
    """A student with an attempt in progress at a 3-question set, graded after submit."""
    make_set(
        [
            {
                "id": f"q{i}",
                "type": "single",
                "prompt": f"Q{i}?",
                "choices": ["a", "b"],
                "answer": "b",
            }
            for i in range(3)
        ],
        settings={"feedback": "after_submit", "shuffle_choices": False},
    )
    make_user("ada")
    race = Race(app)
    client = race.client("ada")
    url = client.post("/quizzes/sample/start").headers["Location"]
    attempt = db.session.scalar(select(Attempt))
    return race, attempt, url.rsplit("/questions/", 1)[0]


def graded(db: Any, attempt_id: int) -> tuple[Attempt, list[QuestionAttempt]]:
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    responses = db.session.scalars(
        select(QuestionAttempt)
        .where(QuestionAttempt.attempt_id == attempt_id)
        .order_by(QuestionAttempt.position)
    ).all()
    return attempt, list(responses)


def assert_acknowledged_answers_graded(saves: dict[int, Any], attempt: Attempt, responses: list):
    """Every 302 to a save was an answer graded in the score; every refusal saved nothing."""
    assert attempt.state == "graded"
    for position, reply in saves.items():
        response = responses[position]
        if reply.status_code == 302:
            assert response.answer == 1 and response.score == 1.0, position
            assert response.answered_at <= attempt.submitted_at
        else:
            assert reply.status_code == 409, reply.status_code
            assert "it was not saved" in reply.get_data(as_text=True)
            assert response.answer is None and response.score == 0.0
    assert attempt.score == sum(r.points for r in responses)


def test_a_save_that_read_in_progress_before_the_submit_is_refused(app, db, quiz):
    """The lost answer of issue 9: the save read "in progress", the submit graded meanwhile."""
    race, attempt, base = quiz
    saver, submitter = race.client("ada"), race.client("ada")
    with holding(race, db.engine, "save", after=False) as (reached, go):
        race.run("save", lambda: saver.post(f"{base}/questions/1", data={"answer": "1"}))
        assert reached.wait(10)
        race.run("submit", lambda: submitter.post(f"{base}/submit"))
        race.threads["submit"].join(timeout=30)  # the submit is not held: it finishes first
        go()
    results = race.join()
    assert results["submit"].status_code == 302
    assert results["save"].status_code == 409
    assert_acknowledged_answers_graded({0: results["save"]}, *graded(db, attempt.id))


def test_a_submit_waits_for_a_save_that_took_the_attempt_first(app, db, quiz):
    race, attempt, base = quiz
    saver, submitter = race.client("ada"), race.client("ada")
    with holding(race, db.engine, "save", after=True) as (reached, go):
        race.run(
            "save",
            lambda: saver.post(f"{base}/questions/2", data={"answer": "1", "action": "next"}),
        )
        assert reached.wait(10)
        race.run("submit", lambda: submitter.post(f"{base}/submit"))
        time.sleep(HOLD)
        assert race.threads["submit"].is_alive(), "the submit did not wait for the save"
        go()
    results = race.join()
    assert results["save"].status_code == 302
    assert results["save"].headers["Location"].endswith("/questions/3")
    assert_acknowledged_answers_graded({1: results["save"]}, *graded(db, attempt.id))


def test_a_save_waits_for_a_submit_that_took_the_attempt_first(app, db, quiz):
    race, attempt, base = quiz
    saver, submitter = race.client("ada"), race.client("ada")
    with holding(race, db.engine, "submit", after=True) as (reached, go):
        race.run("submit", lambda: submitter.post(f"{base}/submit"))
        assert reached.wait(10)
        race.run("save", lambda: saver.post(f"{base}/questions/3", data={"answer": "1"}))
        time.sleep(HOLD)
        go()
    results = race.join()
    assert results["submit"].status_code == 302
    assert results["save"].status_code == 409
    assert_acknowledged_answers_graded({2: results["save"]}, *graded(db, attempt.id))


def test_two_submits_grade_once(app, db, quiz, monkeypatch):
    from quizapp.progress import services as progress_services

    race, attempt, base = quiz
    first, second = race.client("ada"), race.client("ada")
    assert first.post(f"{base}/questions/1", data={"answer": "1"}).status_code == 302
    recorded: list[int] = []
    record_attempt = progress_services.record_attempt

    def counting(graded_attempt: Attempt) -> None:
        recorded.append(graded_attempt.id)
        record_attempt(graded_attempt)

    monkeypatch.setattr(progress_services, "record_attempt", counting)
    with holding(race, db.engine, "first", after=True) as (reached, go):
        race.run("first", lambda: first.post(f"{base}/submit"))
        assert reached.wait(10)
        race.run("second", lambda: second.post(f"{base}/submit"))
        time.sleep(HOLD)
        assert race.threads["second"].is_alive(), "the second submit did not wait"
        go()
    results = race.join()
    assert [results["first"].status_code, results["second"].status_code] == [302, 302]
    assert recorded == [attempt.id]  # graded and folded into progress once
    done, responses = graded(db, attempt.id)
    assert done.score == 1.0 and [r.score for r in responses] == [1.0, 0.0, 0.0]
    assert db.session.scalar(select(func.count()).select_from(QuestionProgress)) == 1


def test_two_starts_give_one_attempt(app, db, make_set, make_user):
    make_set()
    make_user("ada")
    race = Race(app)
    one, two = race.client("ada"), race.client("ada")
    with holding(race, db.engine, "one", after=False) as (reached, go):
        race.run("one", lambda: one.post("/quizzes/sample/start"))
        assert reached.wait(10)
        race.run("two", lambda: two.post("/quizzes/sample/start"))
        race.threads["two"].join(timeout=30)
        go()
    results = race.join()
    assert results["one"].status_code == results["two"].status_code == 302
    assert results["one"].headers["Location"] == results["two"].headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


@pytest.mark.parametrize("held", ["start", "practice"])
def test_an_assignment_and_a_practice_run_of_one_set_are_numbered_apart(
    app, db, make_set, make_user, held
):
    """Starting an open assignment again while practising a closed one of the same set: two
    attempts, numbered 2 and 3 (it was a 500 on the unique number)."""
    question_set = make_set()
    teacher = make_user("teach", role="teacher")
    student = make_user("ada")
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    join(classroom, student, "Ada")
    now = utcnow()
    open_one = assign(
        db, classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
    )
    closed = assign(db, classroom, question_set, now - timedelta(days=3), now - timedelta(days=2))
    # Practice is refused while an open assignment of the set still hides its key: the student
    # has handed the open one in (its feedback comes after submitting), and starts it again.
    answer_attempt(db, student, question_set, [1], now, submit_at=now, assignment=open_one)
    race = Race(app)
    starter, practiser = race.client("ada"), race.client("ada")
    open_id, closed_id = open_one.id, closed.id  # the threads have no app context of the test
    requests = {
        "start": lambda: starter.post(f"/assignments/{open_id}/start"),
        "practice": lambda: practiser.post(f"/assignments/{closed_id}/practice"),
    }
    other = "practice" if held == "start" else "start"
    with holding(race, db.engine, held, after=False) as (reached, go):
        race.run(held, requests[held])
        assert reached.wait(10)
        race.run(other, requests[other])
        race.threads[other].join(timeout=30)
        go()
    results = race.join()
    assert [results["start"].status_code, results["practice"].status_code] == [302, 302]
    attempts = db.session.execute(select(Attempt.number, Attempt.assignment_id, Attempt.practice))
    practised, started = (3, 2) if held == "practice" else (2, 3)  # the held one comes second
    expected = [(1, open_id, False), (practised, None, True), (started, open_id, False)]
    assert sorted(attempts) == sorted(expected)

"""One rule for keys: no path shows a set's key while a pending assignment of the student's
classes hides it (issue 10, defects 1 and 2)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from helpers import answer_attempt, assign
from sqlalchemy import func, select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.models import Attempt, utcnow

QUESTIONS = [
    {
        "id": "a",
        "type": "true_false",
        "prompt": "A?",
        "answer": True,
        "explanation": "SECRET-EXPLANATION",
    },
    {"id": "b", "type": "true_false", "prompt": "B?", "answer": True},
]


@pytest.fixture
def setting(db, make_user, make_set):
    """A set with its own immediate feedback, a teacher, a class and a student in it."""
    question_set = make_set(
        QUESTIONS, settings={"feedback": "immediate", "shuffle_questions": False}
    )
    teacher = make_user("tess", role="teacher")
    student = make_user("ada")
    classroom = create_classroom(teacher, "5B", "UTC")
    join(classroom, student, "Ada")
    db.session.commit()
    return question_set, classroom, student


def test_practice_of_a_closed_assignment_is_refused_while_another_hides_the_key(
    auth, client, db, setting
):
    question_set, classroom, _student = setting
    now = utcnow()
    closed = assign(db, classroom, question_set, now - timedelta(days=3), now - timedelta(days=1))
    assign(
        db,
        classroom,
        question_set,
        now - timedelta(hours=1),
        now + timedelta(days=2),
        feedback="never",
    )
    auth.login("ada")
    response = client.post(f"/assignments/{closed.id}/practice")
    assert response.status_code == 302
    assert "/attempts/" not in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_a_self_study_attempt_shows_no_key_once_a_hiding_assignment_exists(
    auth, client, db, setting
):
    question_set, classroom, student = setting
    now = utcnow()
    done = answer_attempt(
        db,
        student,
        question_set,
        [False, False],
        now - timedelta(minutes=5),
        submit_at=now - timedelta(minutes=4),
    )
    attempt = answer_attempt(db, student, question_set, [False], now - timedelta(minutes=3))
    auth.login("ada")
    # before any assignment: immediate feedback shows the key
    assert "SECRET-EXPLANATION" in client.get(f"/attempts/{attempt.id}/questions/1").text
    assert "SECRET-EXPLANATION" in client.get(f"/attempts/{done.id}").text
    assign(
        db,
        classroom,
        question_set,
        now + timedelta(days=1),
        now + timedelta(days=2),
        feedback="after_due",
    )
    question_page = client.get(f"/attempts/{attempt.id}/questions/1").text
    assert "SECRET-EXPLANATION" not in question_page and "The right answer" not in question_page
    result_page = client.get(f"/attempts/{done.id}").text
    assert "SECRET-EXPLANATION" not in result_page and "The right answer" not in result_page


def test_review_cards_of_a_hidden_set_wait(auth, client, db, setting):
    question_set, classroom, student = setting
    now = utcnow()
    answer_attempt(
        db,
        student,
        question_set,
        [False, False],
        now - timedelta(hours=2),
        submit_at=now - timedelta(hours=2),
    )
    auth.login("ada")
    assert "SECRET-EXPLANATION" not in client.get("/review").text  # a card is due: A? shows
    assert "A?" in client.get("/review").text
    assign(db, classroom, question_set, now - timedelta(hours=1), now + timedelta(days=2))
    page = client.get("/review").text
    assert "A?" not in page and "B?" not in page


@pytest.mark.parametrize(
    ("feedback", "due_in", "shown"),
    [
        ("never", timedelta(days=1), False),
        ("never", timedelta(days=-1), False),
        ("after_due", timedelta(days=1), False),
        ("after_due", timedelta(days=-1), True),
        ("after_submit", timedelta(days=1), True),
    ],
)
def test_the_export_shows_per_question_scores_only_when_the_pages_do(
    auth, client, db, setting, feedback, due_in, shown
):
    question_set, classroom, student = setting
    now = utcnow()
    due = now + due_in
    assignment = assign(
        db, classroom, question_set, due - timedelta(days=3), due, feedback=feedback
    )
    at = min(due, now) - timedelta(hours=1)
    attempt = answer_attempt(
        db, student, question_set, [True, False], at, submit_at=at, assignment=assignment
    )
    auth.login("ada")
    data = json.loads(client.get("/account/export.json").data)
    (exported,) = data["attempts"]
    assert exported["score"] == attempt.score == 1  # the total is on the result page too
    scores = [r["score"] for r in exported["responses"]]
    assert scores == ([1.0, 0.0] if shown else [None, None])
    result_page = client.get(f"/attempts/{attempt.id}").text
    assert ("Question by question" in result_page) == shown
    # per-question progress (mastery, review) says no more than the pages either
    last_scores = sorted(
        (q["question"], q["last_score"]) for q in data["questions"] if q["last_score"] is not None
    )
    assert last_scores == ([("a", 1.0), ("b", 0.0)] if shown else [])

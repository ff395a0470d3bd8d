"""Attempts through the test client: resume, limits, time, double submits, feedback, bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.models import Attempt, QuestionAttempt, User, utcnow


def start(client, slug="sample"):
    response = client.post(f"/quizzes/{slug}/start")
    assert response.status_code == 302
    return response.headers["Location"]


def attempt_of(db):
    return db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))


def answers(db, attempt):
    return [
        r.answer
        for r in db.session.scalars(
            select(QuestionAttempt)
            .where(QuestionAttempt.attempt_id == attempt.id)
            .order_by(QuestionAttempt.position)
        )
    ]


def test_starting_twice_resumes_the_same_attempt(auth, client, make_set, db):
    make_set()
    auth.register()
    assert start(client) == start(client)
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 1


def test_the_database_refuses_a_second_attempt_in_progress(make_set, make_user, db):
    question_set = make_set()
    user = make_user()
    db.session.add(Attempt(user_id=user.id, set_id=question_set.id, number=1, seed=1))
    db.session.commit()
    db.session.add(Attempt(user_id=user.id, set_id=question_set.id, number=2, seed=2))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_frozen_order_survives_a_reload(auth, client, make_set, db):
    make_set(settings={"shuffle_questions": True, "shuffle_choices": True})
    auth.register()
    first = start(client)
    page = client.get(first).get_data(as_text=True)
    assert client.get(first).get_data(as_text=True).count("<label") == page.count("<label")
    layout = [(r.question_id, r.layout) for r in attempt_of(db).responses]
    client.get(first)
    db.session.expire_all()
    assert [(r.question_id, r.layout) for r in attempt_of(db).responses] == layout
    assert _labels(client.get(first).get_data(as_text=True)) == _labels(page)


def _labels(page: str) -> list[str]:
    import re

    return re.findall(r'<label for="answer-\d+">([^<]*)</label>', page)


def test_max_attempts_is_enforced(auth, client, make_set, db):
    make_set(settings={"max_attempts": 1, "feedback": "after_submit"})
    auth.register()
    start(client)
    client.post(f"/attempts/{attempt_of(db).id}/submit")
    response = client.post("/quizzes/sample/start", follow_redirects=True)
    assert "You have used all your attempts at this quiz." in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 1
    catalogue = client.get("/quizzes").get_data(as_text=True)
    assert "No attempts left." in catalogue


def test_a_replayed_submit_grades_once(auth, client, make_set, db):
    make_set()
    auth.register()
    first = start(client)
    client.post(first, data={"answer": "1", "action": "next"})
    attempt = attempt_of(db)
    client.post(f"/attempts/{attempt.id}/submit")
    db.session.refresh(attempt)
    submitted_at, score = attempt.submitted_at, attempt.score
    # A late POST of another answer is refused, saying so; a second submit changes nothing.
    late = client.post(first, data={"answer": "0", "action": "next"})
    assert late.status_code == 409
    assert "it was not saved" in late.get_data(as_text=True)
    client.post(f"/attempts/{attempt.id}/submit")
    db.session.refresh(attempt)
    assert (attempt.submitted_at, attempt.score, attempt.state) == (submitted_at, score, "graded")
    assert answers(db, attempt) == [1, None]


def test_answers_after_the_deadline_do_not_count(auth, client, make_set, db, app):
    make_set(settings={"time_limit": "1m", "feedback": "after_submit", "shuffle_choices": False})
    auth.register()
    first = start(client)
    client.post(first, data={"answer": "1", "action": "next"})  # saved in time: right
    attempt = attempt_of(db)
    assert attempt.deadline is not None
    attempt.deadline = utcnow() - timedelta(seconds=app.config["GRACE_SECONDS"] + 1)
    db.session.commit()
    second = first.replace("/questions/1", "/questions/2")
    response = client.post(second, data={"answer": "0", "action": "review"})
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}")
    db.session.refresh(attempt)
    assert attempt.state == "expired" and attempt.score == 1.0
    assert answers(db, attempt) == [1, None]
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Submitted at the time limit: the answers saved in time were counted" in page


def test_answers_within_the_grace_period_count(auth, client, make_set, db):
    make_set(settings={"time_limit": "1m", "feedback": "after_submit", "shuffle_choices": False})
    auth.register()
    first = start(client)
    attempt = attempt_of(db)
    attempt.deadline = utcnow() - timedelta(seconds=2)  # grace is 5 s
    db.session.commit()
    client.post(first, data={"answer": "1", "action": "next"})
    assert answers(db, attempt) == [1, None]
    assert attempt_of(db).state == "in_progress"


def test_an_expired_attempt_is_closed_on_its_next_page_view(auth, client, make_set, db):
    make_set(settings={"time_limit": "90s", "feedback": "after_submit"})
    auth.register()
    first = start(client)
    attempt = attempt_of(db)
    attempt.deadline = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert client.get(first).headers["Location"].endswith(f"/attempts/{attempt.id}")
    db.session.refresh(attempt)
    assert attempt.state == "expired" and attempt.score == 0


def test_immediate_feedback_shows_key_explanation_and_source_then_locks(auth, client, make_set, db):
    questions = [
        {
            "id": "founding-year",
            "type": "single",
            "prompt": "When was OpenAI founded?",
            "choices": ["2014", "2015", "2019"],
            "answer": "2015",
            "explanation": "As a non-profit.",
            "quote": "Lors de sa création en 2015",
        },
        {"id": "tf", "type": "true_false", "prompt": "Musk co-founded it.", "answer": True},
    ]
    make_set(
        questions,
        settings={"feedback": "immediate", "shuffle_choices": False},
        source={"title": "ChatGPT : OpenAI a failli", "publisher": "01net", "language": "fr"},
    )
    auth.register()
    first = start(client)
    before = client.get(first).get_data(as_text=True)
    assert "As a non-profit." not in before and "Lors de sa création" not in before
    client.post(first, data={"answer": "0", "action": "check"})
    page = client.get(first).get_data(as_text=True)
    assert "Not quite" in page
    # each choice marked in words: the key is the right answer not chosen
    assert re.search(r'2015</span> <span class="mark is-missed">.*right answer, not chosen', page)
    assert re.search(r'2014</span> <span class="mark is-wrong">.*your choice, wrong', page)
    assert "As a non-profit." in page
    assert '<blockquote lang="fr">Lors de sa création en 2015</blockquote>' in page
    assert "<cite>ChatGPT : OpenAI a failli</cite>, 01net" in page
    # A forged change to a locked answer is not stored; the student just moves on.
    response = client.post(first, data={"answer": "1", "action": "next"})
    assert response.headers["Location"].endswith("/questions/2")
    assert answers(db, attempt_of(db)) == [0, None]
    assert "Next question" in page and "Save and next" not in page


@pytest.mark.parametrize(
    ("mode", "shown"), [("after_submit", True), ("after_due", False), ("never", False)]
)
def test_the_result_page_follows_the_feedback_setting(auth, client, make_set, db, mode, shown):
    make_set(settings={"feedback": mode, "shuffle_choices": False})
    auth.register()
    first = start(client)
    client.post(first, data={"answer": "0", "action": "next"})
    client.post(f"/attempts/{attempt_of(db).id}/submit")
    page = client.get(f"/attempts/{attempt_of(db).id}").get_data(as_text=True)
    assert "Score: 0 of 2 points (0%)" in page
    assert ("In 2015, as a non-profit." in page) is shown
    assert ("The right answer:" in page) is shown


def test_pass_mark(auth, client, make_set, db):
    make_set(settings={"feedback": "after_submit", "pass_mark": "50%", "shuffle_choices": False})
    auth.register()
    first = start(client)
    client.post(first, data={"answer": "1", "action": "next"})
    page = client.post(f"/attempts/{attempt_of(db).id}/submit", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Pass mark met (50%)" in page


ALL_TYPES = [
    {"id": "s", "type": "single", "prompt": "S?", "choices": ["a", "b", "c"], "answer": "b"},
    {
        "id": "m",
        "type": "multiple",
        "prompt": "M?",
        "choices": ["a", "b", "c"],
        "answer": ["a", "c"],
    },
    {"id": "t", "type": "true_false", "prompt": "T?", "answer": False},
    {"id": "n", "type": "numeric", "prompt": "N?", "answer": 2015, "unit": "year"},
    {"id": "x", "type": "text", "prompt": "X?", "accept": ["Sam Altman"]},
    {"id": "o", "type": "order", "prompt": "O?", "items": ["first", "second", "third"]},
    {
        "id": "p",
        "type": "match",
        "prompt": "P?",
        "pairs": [["Altman", "CEO"], ["Musk", "co-founder"], ["Microsoft", "investor"]],
    },
]


@pytest.mark.parametrize(
    ("number", "data"),
    [
        pytest.param(1, {"answer": "9"}, id="single-forged-choice"),
        pytest.param(2, {"answer": ["0", "7"]}, id="multiple-forged-choice"),
        pytest.param(3, {"answer": "maybe"}, id="true-false-forged"),
        pytest.param(4, {"answer": "twenty"}, id="numeric-not-a-number"),
        pytest.param(4, {"answer": "9" * 41}, id="numeric-too-long"),
        pytest.param(5, {"answer": "x" * 501}, id="text-too-long"),
        pytest.param(
            6,
            {"answer-item_0": "1", "answer-item_1": "1", "answer-item_2": "2"},
            id="order-same-position-twice",
        ),
        pytest.param(
            6,
            {"answer-item_0": "1", "answer-item_1": "9", "answer-item_2": "2"},
            id="order-forged-position",
        ),
        pytest.param(7, {"answer-left_0": "5"}, id="match-forged-choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(auth, client, make_set, db, number, data):
    make_set(ALL_TYPES, settings={"feedback": "after_submit"})
    auth.register()
    first = start(client)
    url = first.replace("/questions/1", f"/questions/{number}")
    response = client.post(url, data={**data, "action": "next"})
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert answers(db, attempt_of(db)) == [None] * len(ALL_TYPES)


def test_a_question_outside_the_attempt_is_not_found(auth, client, make_set, db):
    make_set()
    auth.register()
    first = start(client)
    assert (
        client.post(first.replace("/questions/1", "/questions/3"), data={"answer": "0"}).status_code
        == 404
    )
    assert client.get(first.replace("/questions/1", "/questions/0")).status_code == 404


def test_a_huge_post_is_refused(auth, client, make_set, db):
    make_set(ALL_TYPES)
    auth.register()
    first = start(client)
    url = first.replace("/questions/1", "/questions/5")
    response = client.post(url, data={"answer": "x" * 2_000_000})
    assert response.status_code == 413
    assert answers(db, attempt_of(db)) == [None] * len(ALL_TYPES)


KNOWN_LAYOUTS = {6: {"items": [1, 2, 0]}, 7: {"rights": [0, 1, 2]}}  # ALL_TYPES' order, match


@pytest.mark.parametrize(
    ("number", "data", "expected"),
    [
        (1, {"answer": "1"}, 1),
        (2, {"answer": ["0", "2"]}, [0, 2]),
        (3, {"answer": "false"}, False),
        (4, {"answer": "2 015"}, "2 015"),
        (5, {"answer": "  sam altman "}, "sam altman"),
        # Shown as items 1, 2, 0 (the layout below): ranks 3, 1, 2 put them 2, 0, 1.
        (6, {"answer-item_0": "3", "answer-item_1": "1", "answer-item_2": "2"}, [2, 0, 1]),
        (7, {"answer-left_0": "0", "answer-left_1": "", "answer-left_2": "2"}, [0, None, 2]),
    ],
)
def test_each_type_is_saved_in_original_indexes(auth, client, make_set, db, number, data, expected):
    make_set(ALL_TYPES, settings={"feedback": "after_submit", "shuffle_choices": False})
    auth.register()
    first = start(client)
    attempt = attempt_of(db)
    # Make the frozen layout known: identity for choices (not shuffled), these for the others.
    response = attempt.responses[number - 1]
    response.layout = KNOWN_LAYOUTS.get(number, response.layout)
    db.session.commit()
    url = first.replace("/questions/1", f"/questions/{number}")
    assert client.post(url, data={**data, "action": "next"}).status_code == 302
    db.session.expire_all()
    assert answers(db, attempt_of(db))[number - 1] == expected
    # The page shows the saved answer again.
    page = client.get(url).get_data(as_text=True)
    assert "checked" in page or "selected" in page or 'value="' in page


def test_no_countdown_for_a_due_date_days_away_but_one_for_a_time_limit(
    auth, client, db, make_set, make_user
):
    from quizapp.classes.assignments import create_assignment
    from quizapp.classes.classrooms import create_classroom
    from quizapp.classes.join import join

    untimed = make_set()
    timed = make_set(id="timed", settings={"time_limit": "2h"})
    teacher = make_user("teach", role="teacher")
    classroom = create_classroom(teacher, "A", "UTC")
    auth.register()
    student = db.session.scalar(select(User).where(User.username == "ada"))
    join(classroom, student, "Ada")
    now = utcnow()
    for question_set in (untimed, timed):
        create_assignment(
            classroom, question_set, now - timedelta(hours=1), now + timedelta(days=7)
        )
    db.session.commit()
    first = client.post("/quizzes/sample/start").headers["Location"]
    assert 'id="countdown"' not in client.get(first).get_data(as_text=True)
    second = client.post("/quizzes/timed/start").headers["Location"]
    page = client.get(second).get_data(as_text=True)
    assert re.search(r'id="countdown"[^>]*>1:59:\d\d</time>', page)

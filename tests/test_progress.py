"""Progress: mastery and history on hand-made data, FSRS review, practice, charts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import answer_attempt
from sqlalchemy import select

from quizapp.classes.assignments import create_assignment
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.classes.reports import assignment_results
from quizapp.models import Attempt, QuestionProgress, utcnow
from quizapp.progress import services

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
QUESTIONS = [
    {"id": "a", "type": "true_false", "prompt": "A?", "answer": True, "tags": ["openai"]},
    {"id": "b", "type": "true_false", "prompt": "B?", "answer": True, "tags": ["openai", "ico"]},
    {"id": "c", "type": "true_false", "prompt": "C?", "answer": True, "tags": ["ico"]},
]


def take(db, user, question_set, answers, at, **kwargs):
    """A graded attempt answered and submitted at `at`."""
    return answer_attempt(db, user, question_set, answers, at, submit_at=at, **kwargs)


@pytest.fixture
def question_set(make_set):
    return make_set(QUESTIONS, settings={"feedback": "after_submit", "shuffle_questions": False})


def test_mastery_uses_each_questions_latest_result(db, make_user, question_set):
    user = make_user()
    take(db, user, question_set, [True, False, False], T0)
    take(db, user, question_set, [False, True, None], T0 + timedelta(days=1))
    mastery = {m.tag: (round(m.score, 3), m.questions) for m in services.mastery(user.id)}
    # latest: a wrong (day 2), b right (day 2), c wrong (day 1, unanswered on day 2)
    assert mastery == {"openai": (0.5, 2), "ico": (0.5, 2)}


def test_history_is_paginated_newest_first(db, make_user, question_set):
    user = make_user()
    for day in range(25):
        take(db, user, question_set, [True, True, day % 2 == 0], T0 + timedelta(days=day))
    first, cursor = services.history(user.id)
    assert len(first) == 20 and first[0].submitted_at == T0 + timedelta(days=24)
    second, end = services.history(user.id, before=cursor)
    assert len(second) == 5 and end is None
    assert second[-1].submitted_at == T0
    assert {a.id for a in first}.isdisjoint({a.id for a in second})


def test_a_missed_question_becomes_a_card_that_fsrs_spaces_out(db, make_user, question_set):
    user = make_user()
    take(db, user, question_set, [True, False, True], T0)
    progress = db.session.scalar(select(QuestionProgress).where(QuestionProgress.due.is_not(None)))
    assert progress.question_key == "b" and progress.due == T0
    assert services.due_count(user.id, T0) == 1
    found = services.next_due(user.id, T0)
    assert found[0].id == progress.id and found[1].key == "b"

    services.review(progress, found[1], True, T0)  # right: out for a while
    first_gap = progress.due - T0
    assert first_gap > timedelta(0) and services.due_count(user.id, T0) == 0
    services.review(progress, found[1], True, progress.due)  # right again: longer
    second_gap = progress.due - T0 - first_gap
    assert second_gap > first_gap >= timedelta(minutes=1)
    assert services.due_count(user.id, progress.due - timedelta(seconds=1)) == 0
    before_lapse = progress.due
    services.review(progress, found[1], False, before_lapse)  # a lapse: back soon
    assert progress.lapses == 1 and progress.reviews == 3
    assert progress.due - before_lapse < second_gap
    assert progress.last_score == 0


def test_cards_follow_the_question_across_edits(db, make_user, make_set, question_set):
    user = make_user()
    take(db, user, question_set, [True, False, True], T0)
    edited = [dict(q) for q in QUESTIONS]
    edited[1]["prompt"] = "B, reworded?"
    make_set(edited, settings={"feedback": "after_submit", "shuffle_questions": False})
    _progress, question = services.next_due(user.id, T0)
    assert question.prompt == "B, reworded?" and question.version == 2


def test_practice_after_the_deadline_never_changes_grades(db, make_user, question_set):
    teacher = make_user("teach", role="teacher")
    student = make_user()
    classroom = create_classroom(teacher, "A", "UTC")
    join(classroom, student, "S")
    assignment = create_assignment(classroom, question_set, T0, T0 + timedelta(days=1))
    db.session.commit()
    graded = take(
        db,
        student,
        question_set,
        [True, False, False],
        T0 + timedelta(hours=1),
        assignment=assignment,
    )
    before = [(r.best, r.attempts) for r in assignment_results(assignment)]
    practice = take(
        db, student, question_set, [True, True, True], T0 + timedelta(days=2), practice=True
    )
    assert practice.practice and practice.assignment_id is None and practice.score == 3
    after = [(r.best, r.attempts) for r in assignment_results(assignment)]
    assert after == before == [(pytest.approx(1 / 3), 1)]
    assert db.session.get(Attempt, graded.id).score == 1


def test_the_dashboard_charts_render_with_their_text_alternative(
    auth, client, db, make_user, question_set
):
    user = make_user("ada")
    now = utcnow()
    take(db, user, question_set, [True, False, True], now - timedelta(days=2))
    take(db, user, question_set, [True, True, True], now - timedelta(days=1))
    auth.login("ada")
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<svg role="img" aria-labelledby="scores-caption"' in page
    assert '<figcaption id="scores-caption">' in page and "Latest: 100%." in page
    assert '<svg role="img" aria-labelledby="mastery-caption"' in page
    assert re.search(r'<th scope="row">ico</th><td>100%</td><td>2</td>', page)
    # No pygal script (from its CDN or inline): only the site's own static scripts.
    scripts = re.findall(r"<script[^>]*>", page)
    assert all(re.fullmatch(r'<script src="/static/js/[\w-]+\.js" defer>', s) for s in scripts)
    assert "kozea" not in page
    assert "Review now (1 due)" in page


def test_reviewing_through_the_browser_forms(auth, client, db, make_user, question_set):
    user = make_user("ada")
    take(db, user, question_set, [True, False, True], utcnow() - timedelta(hours=1))
    auth.login("ada")
    page = client.get("/review").get_data(as_text=True)
    assert "B?" in page
    progress = db.session.scalar(select(QuestionProgress).where(QuestionProgress.due.is_not(None)))
    blank = client.post(f"/review/{progress.id}", data={})
    assert blank.status_code == 422 and progress.reviews == 0
    answered = client.post(f"/review/{progress.id}", data={"answer": "true"})
    assert answered.status_code == 200 and "Right" in answered.get_data(as_text=True)
    db.session.refresh(progress)
    assert progress.reviews == 1 and progress.due > utcnow()
    again = client.post(f"/review/{progress.id}", data={"answer": "false"})
    assert again.status_code == 302  # no longer due: nothing changes
    db.session.refresh(progress)
    assert progress.reviews == 1
    assert "Nothing to review now" in client.get("/review").get_data(as_text=True)


def test_a_teacher_sees_a_students_dashboard_for_their_class_only(
    auth, client, db, make_user, make_set, question_set
):
    teacher = make_user("teach", role="teacher")
    other_teacher = make_user("other", role="teacher")
    student = make_user("ada")
    classroom = create_classroom(teacher, "A", "UTC")
    elsewhere = create_classroom(other_teacher, "B", "UTC")
    join(classroom, student, "Ada L.")
    join(elsewhere, student, "Ada")
    private = make_set(
        id="private", title="Private quiz of B", questions=[{**QUESTIONS[0], "tags": ["secret"]}]
    )
    now = utcnow()
    mine = create_assignment(
        classroom, question_set, now - timedelta(days=1), now + timedelta(days=1)
    )
    theirs = create_assignment(elsewhere, private, now - timedelta(days=1), now + timedelta(days=1))
    db.session.commit()
    take(db, student, question_set, [True, True, False], now - timedelta(hours=3), assignment=mine)
    take(db, student, private, [False], now - timedelta(hours=2), assignment=theirs)
    take(db, student, question_set, [False, False, False], now - timedelta(hours=1))  # self
    auth.login("teach")
    page = client.get(f"/classes/{classroom.id}/students/{student.id}").get_data(as_text=True)
    assert "Progress of Ada L." in page and "mastery-caption" in page
    assert "Private quiz of B" not in page and "secret" not in page
    assert "self-study" not in page and "Review now" not in page
    # Mastery from this class's assignment only: a right, b right, c wrong.
    assert re.search(r'<th scope="row">openai</th><td>100%</td><td>2</td>', page)
    assert re.search(r'<th scope="row">ico</th><td>50%</td><td>2</td>', page)


def test_the_catalogue_takes_an_assigned_set_as_the_assignment(
    auth, client, db, make_user, question_set
):
    teacher = make_user("teach", role="teacher")
    student = make_user("ada")
    classroom = create_classroom(teacher, "A", "UTC")
    join(classroom, student, "Ada")
    now = utcnow()
    assignment = create_assignment(
        classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
    )
    db.session.commit()
    auth.login("ada")
    client.post(f"/quizzes/{question_set.slug}/start")
    attempt = db.session.scalar(select(Attempt))
    assert attempt.assignment_id == assignment.id

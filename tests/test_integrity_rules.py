"""Rules found by review: keys stay hidden, lateness counts, teachers keep to their students."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from helpers import PASSWORD, answer_attempt, assign, set_document
from sqlalchemy import func, select

from quizapp.bank.sync import replaced_versions, sync_directory
from quizapp.classes.assignments import create_assignment
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.errors import ClassError
from quizapp.classes.join import join
from quizapp.models import Attempt, Membership, QuestionProgress, utcnow
from quizapp.quiz import attempts as quiz_attempts


@pytest.fixture
def school(db, make_user, make_set):
    question_set = make_set(settings={"shuffle_choices": False, "feedback": "after_submit"})
    teacher = make_user("teach", role="teacher")
    student = make_user("ada")
    classroom = create_classroom(teacher, "A", "UTC")
    join(classroom, student, "Ada")
    db.session.commit()
    return question_set, teacher, student, classroom


def take(db, student, question_set, answers, at, **kwargs):
    """An attempt answered at `at`, not yet submitted."""
    return answer_attempt(db, student, question_set, answers, at, **kwargs)


def finish(db, attempt, at):
    quiz_attempts.submit(attempt, now=at)
    db.session.commit()
    return attempt


@pytest.mark.parametrize(
    ("feedback", "card_due"),
    [
        ("after_submit", "now"),
        ("after_due", "due"),
        ("never", None),
    ],
)
def test_a_missed_question_comes_up_for_review_only_once_its_key_may_be_seen(
    db, school, feedback, card_due
):
    question_set, _teacher, student, classroom = school
    now = utcnow()
    assignment = assign(
        db,
        classroom,
        question_set,
        now - timedelta(hours=1),
        now + timedelta(days=3),
        feedback=feedback,
    )
    attempt = finish(db, take(db, student, question_set, [0, 0], now, assignment=assignment), now)
    assert attempt.score == 1.0  # one right, one missed
    progress = db.session.scalar(select(QuestionProgress).where(QuestionProgress.last_score == 0))
    if card_due is None:  # `never`: nothing of the attempt is kept per question
        assert progress is None
        assert db.session.scalar(select(func.count()).select_from(QuestionProgress)) == 0
        return
    expected = {"now": now, "due": assignment.due_at}[card_due]
    assert progress.due == expected and progress.card is not None


def test_work_handed_in_after_the_due_date_is_late_and_penalised(db, school):
    question_set, _teacher, student, classroom = school
    now = utcnow()
    assignment = assign(
        db,
        classroom,
        question_set,
        now - timedelta(days=2),
        now + timedelta(minutes=1),
        late_policy="penalty",
        late_penalty=50,
    )
    attempt = take(db, student, question_set, [1, 0], now, assignment=assignment)
    assert attempt.deadline is None and not attempt.late
    finish(db, attempt, now + timedelta(days=7))
    assert attempt.late and attempt.penalty == 0.5 and attempt.score == 1.0


def test_regrading_keeps_the_late_penalty(db, school, questions_dir):
    question_set, _teacher, student, classroom = school
    now = utcnow()
    assignment = assign(
        db,
        classroom,
        question_set,
        now - timedelta(days=2),
        now - timedelta(days=1),
        late_policy="penalty",
        late_penalty=50,
    )
    attempt = finish(db, take(db, student, question_set, [0, 0], now, assignment=assignment), now)
    assert attempt.late and attempt.score == 0.5  # 1 of 2, halved
    document = set_document(settings={"shuffle_choices": False, "feedback": "after_submit"})
    document["questions"][0]["answer"] = "2014"  # the key was wrong
    import yaml

    (questions_dir / "sample.yaml").write_text(yaml.safe_dump(document))
    sync_directory(questions_dir)
    regraded = quiz_attempts.regrade(replaced_versions())
    db.session.commit()
    db.session.refresh(attempt)
    assert regraded == 1 and attempt.score == 1.0  # 2 of 2, halved


def test_a_teacher_cannot_reset_a_promoted_accounts_password(auth, client, db, school, make_user):
    _set, _teacher, student, classroom = school
    membership = db.session.scalar(select(Membership))
    student.role = "admin"
    db.session.commit()
    auth.login("teach")
    assert (
        client.post(f"/classes/{classroom.id}/members/{membership.id}/password").status_code == 404
    )


def test_promotion_takes_the_account_out_of_its_classes(auth, client, db, school, make_user):
    _set, _teacher, student, _classroom = school
    make_user("root", role="admin")
    auth.login("root")
    client.post(f"/admin/users/{student.id}/role", data={"role": "teacher"})
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_self_study_is_refused_before_an_assignment_opens(auth, client, db, school):
    question_set, _teacher, _student, classroom = school
    now = utcnow()
    assign(db, classroom, question_set, now + timedelta(days=1), now + timedelta(days=2))
    auth.login("ada")
    response = client.post(f"/quizzes/{question_set.slug}/start", follow_redirects=True)
    assert "This assignment is not open yet." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_after_the_due_date_the_catalogue_is_self_study_once_the_work_is_in(
    auth, client, db, school
):
    question_set, _teacher, student, classroom = school
    now = utcnow()
    assignment = assign(
        db,
        classroom,
        question_set,
        now - timedelta(days=3),
        now - timedelta(days=1),
        late_policy="accept",
    )
    finish(
        db,
        take(db, student, question_set, [1, 1], now - timedelta(days=2), assignment=assignment),
        now - timedelta(days=2),
    )
    auth.login("ada")
    client.post(f"/quizzes/{question_set.slug}/start")
    latest = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
    assert latest.assignment_id is None and not latest.late


def test_after_due_feedback_cannot_go_with_late_work(db, school):
    question_set, _teacher, _student, classroom = school
    now = utcnow()
    with pytest.raises(ClassError, match="cannot go with late work"):
        create_assignment(
            classroom,
            question_set,
            now,
            now + timedelta(days=1),
            late_policy="accept",
            feedback="after_due",
        )


def test_practice_with_no_attempts_left_is_a_message_not_an_error(
    auth, client, db, make_user, make_set
):
    question_set = make_set(settings={"max_attempts": 1})
    teacher = make_user("teach", role="teacher")
    student = make_user("ada")
    classroom = create_classroom(teacher, "A", "UTC")
    join(classroom, student, "Ada")
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(days=2), now - timedelta(days=1)
    )
    finish(db, take(db, student, question_set, [1, 1], now), now)  # the set's one attempt
    auth.login("ada")
    response = client.post(f"/assignments/{assignment.id}/practice", follow_redirects=True)
    assert response.status_code == 200
    assert "You have used all your attempts" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/attempts/99999999999999999999999",
        "/attempts/99999999999999999999999/summary",
        "/dashboard?before=99999999999999999999999",
    ],
)
def test_huge_numbers_in_urls_are_not_errors(auth, client, make_user, path):
    make_user("ada")
    auth.login("ada")
    assert client.get(path).status_code in (200, 404)


def test_a_roster_csv_with_a_monstrous_field_is_a_message(auth, client, db, school):
    _set, _teacher, _student, classroom = school
    auth.login("teach")
    csv = ('"' + "x" * 140_000 + '"\n').encode()
    response = client.post(
        f"/classes/{classroom.id}/roster",
        data={"file": (io.BytesIO(csv), "c.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_an_absurd_due_year_is_a_message(auth, client, db, school):
    question_set, _teacher, _student, classroom = school
    auth.login("teach")
    response = client.post(
        f"/classes/{classroom.id}/assignments",
        data={
            "set_id": str(question_set.id),
            "opens_at": "2026-12-01T09:00",
            "due_at": "9999-12-31T23:59",
            "late_policy": "refuse",
        },
    )
    assert response.status_code == 422
    assert "between the years 2000 and 2200" in response.get_data(as_text=True)


def test_the_question_page_follows_the_assignments_feedback(auth, client, db, make_user, make_set):
    question_set = make_set(settings={"feedback": "immediate"})
    teacher = make_user("teach", role="teacher")
    student = make_user("ada")
    classroom = create_classroom(teacher, "A", "UTC")
    join(classroom, student, "Ada")
    now = utcnow()
    assignment = assign(
        db,
        classroom,
        question_set,
        now - timedelta(hours=1),
        now + timedelta(days=1),
        feedback="after_submit",
    )
    auth.login("ada")
    url = client.post(f"/assignments/{assignment.id}/start").headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Check my answer" not in page and "Save and next" in page


def test_the_data_export_includes_review_cards(auth, client, db, school):
    question_set, _teacher, student, _classroom = school
    now = utcnow()
    finish(db, take(db, student, question_set, [0, 0], now), now)
    auth.login("ada")
    data = json.loads(client.get("/account/export.json").data)
    keyed = {q["question"]: q for q in data["questions"]}
    assert keyed["founding-year"]["review_due"] is not None  # "2014": missed
    assert keyed["investor"]["last_score"] == 1 and keyed["investor"]["review_due"] is None


def test_the_last_administrator_cannot_delete_their_account(auth, client, db, make_user):
    make_user("root", role="admin")
    auth.login("root")
    response = client.post("/account/delete", data={"delete-password": PASSWORD})
    assert response.status_code == 422
    assert "last administrator" in response.get_data(as_text=True)


def test_the_catalogue_says_which_set_is_an_assignment_and_assignments_offer_a_retry(
    auth, client, db, school
):
    question_set, _teacher, student, classroom = school
    now = utcnow()
    assignment = assign(
        db,
        classroom,
        question_set,
        now - timedelta(hours=1),
        now + timedelta(days=2),
        max_attempts=2,
    )
    auth.login("ada")
    catalogue = client.get("/quizzes").get_data(as_text=True)
    assert "Assignment</strong> · A · due" in catalogue and "Go to the assignment" in catalogue
    finish(db, take(db, student, question_set, [1, 1], now, assignment=assignment), now)
    page = client.get("/assignments").get_data(as_text=True)
    assert "Done (1)" in page and "Start again" in page
    finish(db, take(db, student, question_set, [1, 1], now, assignment=assignment), now)
    assert "Start again" not in client.get("/assignments").get_data(as_text=True)


def test_pages_answering_a_post_have_no_language_links(auth, client, db, school):
    _set, _teacher, _student, classroom = school
    auth.login("teach")
    cards = client.post(f"/classes/{classroom.id}/roster", data={"names": "Grace H."})
    assert cards.status_code == 200 and "?lang=" not in cards.get_data(as_text=True)
    assert "?lang=fr" in client.get(f"/classes/{classroom.id}").get_data(as_text=True)

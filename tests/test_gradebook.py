"""The gradebook (score rules, late penalties, states, average and median), a student's attempt
as the teacher sees it, and score overrides that survive regrading."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from helpers import PASSWORD, answer_attempt, assign, set_document
from sqlalchemy import select

from quizapp.bank.sync import replaced_versions, sync_directory
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.gradebook import services
from quizapp.models import Attempt, QuestionAttempt, ScoreOverride, utcnow
from quizapp.quiz import attempts


@pytest.fixture
def world(db, make_user, make_set):
    """A class of four on a two-question set; due yesterday, late work taken at -20 %."""
    teacher = make_user("teacher", role="teacher")
    question_set = make_set()
    classroom = create_classroom(teacher, "5e B", "Europe/Paris")
    students = {}
    for name in ["Zoé", "Bruno", "Chloé", "Dara"]:
        students[name] = make_user(name.lower().replace("é", "e"))
        join_class(classroom, students[name], name)
    db.session.commit()
    now = utcnow()
    opens, due = now - timedelta(days=3), now - timedelta(days=1)
    assignment = assign(
        db, classroom, question_set, opens, due, late_policy="penalty", late_penalty=20
    )
    on_time, late = opens + timedelta(hours=1), due + timedelta(hours=2)
    # Zoé: half right in time, then all right late (-20 % -> 80 %).
    answer_attempt(
        db, students["Zoé"], question_set, [1, 2], on_time, submit_at=on_time, assignment=assignment
    )
    answer_attempt(
        db, students["Zoé"], question_set, [1, 0], late, submit_at=late, assignment=assignment
    )
    # Bruno: all right in time. Dara: half right in time. Chloé: nothing (missed).
    answer_attempt(
        db,
        students["Bruno"],
        question_set,
        [1, 0],
        on_time,
        submit_at=on_time,
        assignment=assignment,
    )
    answer_attempt(
        db,
        students["Dara"],
        question_set,
        [None, 0],
        on_time,
        submit_at=on_time,
        assignment=assignment,
    )
    return {
        "teacher": teacher,
        "classroom": classroom,
        "assignment": assignment,
        "students": students,
        "set": question_set,
    }


def cell_of(db, world, name):
    book = services.gradebook(world["classroom"])
    return book, book.cell(world["students"][name].id, world["assignment"])


@pytest.mark.parametrize(
    ("rule", "zoe", "average", "median"),
    [
        ("best", 0.8, (0.8 + 1 + 0.5) / 3, 0.8),
        ("last", 0.8, (0.8 + 1 + 0.5) / 3, 0.8),
        ("average", (0.5 + 0.8) / 2, (0.65 + 1 + 0.5) / 3, 0.65),
    ],
)
def test_the_score_rule_with_a_late_penalty(db, world, rule, zoe, average, median):
    world["assignment"].score_rule = rule
    db.session.commit()
    book, cell = cell_of(db, world, "Zoé")
    assert cell.state == "scored"
    assert cell.score == pytest.approx(zoe)
    assert cell.attempts == 2
    assert cell.late is True  # under every rule the counted attempt is the late one
    assert cell.penalty == pytest.approx(0.2)
    latest = db.session.scalar(
        select(Attempt.id)
        .where(Attempt.user_id == world["students"]["Zoé"].id)
        .order_by(Attempt.number.desc())
    )
    assert cell.attempt_id == latest  # best, last and average all point at the late attempt
    stats = book.stats[world["assignment"].id]
    assert stats.average == pytest.approx(average)
    assert stats.median == pytest.approx(median)
    assert stats.scored == 3
    assert book.cell(world["students"]["Chloé"].id, world["assignment"]).state == "missed"


def test_best_links_to_the_best_attempt_not_the_last(db, world, make_user):
    zoe = world["students"]["Zoé"]
    now = utcnow()
    # A third, late and worse attempt: best stays on the second, last moves to the third.
    answer_attempt(
        db, zoe, world["set"], [2, 2], now, submit_at=now, assignment=world["assignment"]
    )
    ids = db.session.scalars(
        select(Attempt.id).where(Attempt.user_id == zoe.id).order_by(Attempt.number)
    ).all()
    _book, cell = cell_of(db, world, "Zoé")
    assert (cell.score, cell.attempt_id) == (pytest.approx(0.8), ids[1])
    world["assignment"].score_rule = "last"
    db.session.commit()
    _book, cell = cell_of(db, world, "Zoé")
    assert (cell.score, cell.attempt_id) == (0.0, ids[2])


def login(client, username):
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302


def test_the_page_sorts_by_a_column_and_links_each_cell(client, db, world):
    login(client, "teacher")
    cid, aid = world["classroom"].id, world["assignment"].id
    page = client.get(f"/classes/{cid}/gradebook?sort=a{aid}&dir=desc").get_data(as_text=True)
    # highest first, the student without a score last
    order = [page.index(name) for name in ["Bruno", "Zoé", "Dara", "Chloé"]]
    assert order == sorted(order)
    ascending = client.get(f"/classes/{cid}/gradebook?sort=a{aid}&dir=asc").get_data(as_text=True)
    order = [ascending.index(name) for name in ["Dara", "Zoé", "Bruno", "Chloé"]]
    assert order == sorted(order)
    for attempt_id in db.session.scalars(
        select(Attempt.id).where(Attempt.user_id == world["students"]["Bruno"].id)
    ):
        assert f"/classes/{cid}/attempts/{attempt_id}" in page
    assert "missed" in page and "late" in page


def test_changing_the_rule_takes_a_form_and_moves_the_cell(client, db, world):
    login(client, "teacher")
    cid, aid = world["classroom"].id, world["assignment"].id
    assert (
        client.post(f"/classes/{cid}/assignments/{aid}/rule", data={"rule": "nonsense"}).status_code
        == 400
    )
    assert (
        client.post(f"/classes/{cid}/assignments/{aid}/rule", data={"rule": "average"}).status_code
        == 302
    )
    _book, cell = cell_of(db, world, "Zoé")
    assert cell.score == pytest.approx(0.65)


def gradebook_statements(app, db, make_user, world, count_queries, extra: int) -> int:
    for i in range(extra):
        user = make_user()
        join_class(world["classroom"], user, f"Extra {i}")
        answer_attempt(
            db,
            user,
            world["set"],
            [1, 0],
            utcnow() - timedelta(days=2),
            submit_at=utcnow() - timedelta(days=2),
            assignment=world["assignment"],
        )
    db.session.commit()
    client = app.test_client()
    login(client, "teacher")
    with count_queries() as counter:
        assert (
            client.get(
                f"/classes/{world['classroom'].id}/gradebook?sort=a{world['assignment'].id}"
            ).status_code
            == 200
        )
    return counter.count


def test_the_gradebook_costs_the_same_for_4_students_or_24(
    app, db, make_user, world, count_queries
):
    small = gradebook_statements(app, db, make_user, world, count_queries, 0)
    large = gradebook_statements(app, db, make_user, world, count_queries, 20)
    assert small == large


def test_the_teacher_sees_the_attempt_overrides_and_the_override_survives_regrading(
    client, db, world, questions_dir
):
    zoe = world["students"]["Zoé"]
    attempt = db.session.scalar(
        select(Attempt).where(Attempt.user_id == zoe.id).order_by(Attempt.number)
    )  # the first: "2015" right, "Google" wrong
    first = db.session.scalar(
        select(QuestionAttempt).where(
            QuestionAttempt.attempt_id == attempt.id, QuestionAttempt.position == 0
        )
    )
    login(client, "teacher")
    cid = world["classroom"].id
    page = client.get(f"/classes/{cid}/attempts/{attempt.id}").get_data(as_text=True)
    assert "2015" in page and "Google" in page and "Microsoft" in page  # answers and key
    url = f"/classes/{cid}/attempts/{attempt.id}/responses/{first.id}/override"
    refused = client.post(url, data={"points": "3", "comment": "no"})
    assert refused.status_code == 422 and "between 0 and 1" in refused.get_data(as_text=True)
    assert db.session.scalar(select(ScoreOverride)) is None
    assert (
        client.post(url, data={"points": "0.5", "comment": "Half: no reason given"}).status_code
        == 302
    )
    override = db.session.scalar(select(ScoreOverride))
    assert (override.score, override.by_id) == (0.5, world["teacher"].id)
    db.session.refresh(attempt)
    assert attempt.score == pytest.approx(0.5)  # 0.5 + 0 points, taken in time
    # The key changes to "2019" and past answers are regraded: the graded score of the answer
    # drops to 0, the teacher's 0.5 stands.
    document = set_document()
    document["questions"][0]["answer"] = "2019"
    (questions_dir / "sample.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    )
    sync_directory(questions_dir)
    regraded = attempts.regrade(replaced_versions())
    db.session.commit()
    assert regraded >= 1
    db.session.refresh(first)
    db.session.refresh(attempt)
    assert first.score == 0.0
    assert attempt.score == pytest.approx(0.5)
    # The student sees it, with the comment.
    client.post("/auth/logout")
    login(client, "zoe")
    result = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Half: no reason given" in result


def test_another_teacher_and_the_students_do_not_reach_it(client, db, world, make_user):
    make_user("other", role="teacher")
    cid = world["classroom"].id
    attempt_id = db.session.scalar(select(Attempt.id))
    login(client, "other")
    assert client.get(f"/classes/{cid}/gradebook").status_code == 404
    assert client.get(f"/classes/{cid}/attempts/{attempt_id}").status_code == 404
    client.post("/auth/logout")
    login(client, "bruno")
    assert client.get(f"/classes/{cid}/gradebook").status_code == 403

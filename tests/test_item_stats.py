"""The item statistics kept as sums (quizapp/gradebook/stats.py): after grading, a teacher's
override, regrading and an account's deletion they equal a recomputation from the responses;
two gradings of one assignment at once lose no increment; the analysis page costs the same
whatever the number of students; `flask gradebook rebuild-stats` refills the tables."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import yaml
from helpers import PASSWORD, assign, set_document
from sqlalchemy import delete, event, select

from quizapp import qtypes
from quizapp.account.services import delete_account
from quizapp.bank.sync import replaced_versions, sync_directory
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.gradebook import analysis, services, stats
from quizapp.models import (
    AssignmentStat,
    Attempt,
    ItemStat,
    ItemTally,
    Question,
    QuestionAttempt,
    User,
    utcnow,
)
from quizapp.quiz import attempts

SAMPLES = {name: qtypes.get(name).sample for name in qtypes.QUESTION_TYPES}
CAPITAL = {"id": "capital", "type": "text", "prompt": "Capital of France?", "accept": ["Paris"]}
# Typed wrong answers that normalise alike ("Lyon", " lyon ") and one that differs.
TYPED = ["Paris", "Lyon", " lyon ", "Marseille", None, "LYON!"]


def questions(edited: bool = False) -> list[dict[str, Any]]:
    found = [
        {**(sample.edited if edited else sample.spec), "id": "q-" + name.replace("_", "-")}
        for name, sample in SAMPLES.items()
    ]
    return [*found, CAPITAL]


def answer_for(name: str, student: int) -> Any:
    sample = SAMPLES[name]
    choices = [sample.right, sample.wrong, sample.partial, None]
    return choices[(student + len(name)) % len(choices)]


def snapshot(db: Any) -> tuple[list, list, list]:
    db.session.expire_all()
    return (
        sorted(db.session.execute(select(AssignmentStat.assignment_id, AssignmentStat.attempts))),
        sorted(
            tuple(row)
            for row in db.session.execute(
                select(ItemStat.assignment_id, ItemStat.question_key, *stats_columns())
            )
        ),
        sorted(
            tuple(row)
            for row in db.session.execute(
                select(
                    ItemTally.assignment_id,
                    ItemTally.question_key,
                    ItemTally.kind,
                    ItemTally.value,
                    ItemTally.label,
                    ItemTally.count,
                )
            )
        ),
    )


def stats_columns() -> list[Any]:
    return [ItemStat.__table__.c[name] for name in stats.SUMS]


def assert_kept_equals_recomputed(db: Any) -> tuple[list, list, list]:
    kept = snapshot(db)
    stats.rebuild()
    db.session.commit()
    assert snapshot(db) == kept
    return kept


@pytest.fixture
def world(db, make_user, make_set):
    teacher = make_user("teacher", role="teacher")
    question_set = make_set(questions())
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(days=1), now + timedelta(days=1)
    )
    students = []
    for i, typed in enumerate(TYPED):
        student = make_user(f"s{i}")
        join(classroom, student, f"S{i}")
        students.append(student)
        start = now - timedelta(hours=2, minutes=i)
        attempt = attempts.start_attempt(student, question_set, now=start, assignment=assignment)
        at = start
        for response in attempt.responses:
            key = response.question.key
            given = typed if key == "capital" else answer_for(response.question.type, i)
            at += timedelta(seconds=7 * (i + 1) + response.position)
            if given is not None:
                attempts.save_answer(attempt, response, given, now=at)
        attempts.submit(attempt, now=at)
        db.session.commit()
    # Neither self-study nor a run still in progress counts.
    attempts.start_attempt(students[0], question_set, now=now - timedelta(minutes=5))
    attempts.start_attempt(students[1], question_set, now=now, assignment=assignment)
    db.session.commit()
    return {
        "teacher": teacher,
        "set": question_set,
        "assignment": assignment,
        "students": students,
    }


def test_the_sums_equal_a_recomputation_after_grading_overriding_regrading_and_deleting(
    db, world, questions_dir
):
    assignment = world["assignment"]
    counted, items, tallies = assert_kept_equals_recomputed(db)
    assert counted == [(assignment.id, len(TYPED))]
    assert {key for _a, key, *_sums in items} == {q["id"] for q in questions()}
    wrong = {(value, label, n) for _a, key, kind, value, label, n in tallies if kind == "wrong"}
    # "Lyon", " lyon " and "LYON!" are one answer, shown as one of the forms written.
    assert ("lyon", "LYON!", 3) in wrong and ("marseille", "Marseille", 1) in wrong

    # A teacher's override moves x of that answer and y of every answer of the attempt.
    response = db.session.scalar(
        select(QuestionAttempt)
        .join(Question)
        .join(Attempt)
        .where(
            Question.key == "capital",
            Attempt.user_id == world["students"][1].id,
            Attempt.state == "graded",
        )
    )
    services.override_score(response, 1.0, "Lyon was the capital of Gaul", world["teacher"])
    db.session.commit()
    after_override = assert_kept_equals_recomputed(db)
    assert after_override != (counted, items, tallies)

    # The teacher edits every question (the key or the texts) and past answers are regraded.
    document = set_document(questions(edited=True))
    (questions_dir / "sample.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    )
    sync_directory(questions_dir)
    assert attempts.regrade(replaced_versions()) >= 1
    db.session.commit()
    after_regrade = assert_kept_equals_recomputed(db)
    assert after_regrade != after_override

    # A student deletes their account: their attempt leaves the sums with them.
    delete_account(db.session.get(User, world["students"][2].id))
    db.session.commit()
    counted, _items, _tallies = assert_kept_equals_recomputed(db)
    assert counted == [(assignment.id, len(TYPED) - 1)]


def test_the_analysis_reads_the_same_from_kept_or_rebuilt_sums(db, world):
    def figures() -> list[tuple]:
        result = analysis.analyse(
            world["set"], analysis.attempts_of_assignment(world["assignment"])
        )
        return [
            (
                i.key,
                i.attempts,
                i.share_right,
                i.mean_score,
                i.discrimination,
                i.median_seconds,
                i.picks,
                i.positions,
                i.wrong_answers,
            )
            for i in result.items
        ]

    kept = figures()
    db.session.execute(delete(ItemTally))
    db.session.execute(delete(ItemStat))
    db.session.commit()
    assert figures() != kept
    stats.rebuild()
    db.session.commit()
    assert figures() == kept
    capital = next(f for f in kept if f[0] == "capital")
    assert capital[8][0] == ("LYON!", 3)


def test_the_page_names_the_places_and_pairs_picked(client, db, world):
    """Order and match answers in the question's words, a pair left open included."""
    assignment = world["assignment"]
    client.post("/auth/login", data={"username": "teacher", "password": PASSWORD})
    page = client.get(f"/classes/{assignment.classroom_id}/assignments/{assignment.id}/analysis")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 → OpenAI founded" in text and "4 → GPT-4" in text  # order: place → item
    assert "Altman → CEO" in text and "Musk → —" in text  # match: left → right, open pair
    assert "“Marseille”: 1" in text


def test_a_set_across_classes_adds_up_its_assignments(db, world, make_user):
    """Another class of the same teacher: the set's analysis sums both assignments' rows;
    another teacher's class stays out."""
    question_set, now = world["set"], utcnow()
    for owner in (world["teacher"], make_user("other", role="teacher")):
        classroom = create_classroom(owner, f"B {owner.username}", "Europe/Paris")
        assignment = assign(
            db, classroom, question_set, now - timedelta(days=1), now + timedelta(days=1)
        )
        student = make_user()
        join(classroom, student, "Zoé")
        attempt = attempts.start_attempt(student, question_set, now=now, assignment=assignment)
        attempts.submit(attempt, now=now)  # all blank
        db.session.commit()
    mine = analysis.analyse(
        question_set, analysis.attempts_of_set(question_set, world["teacher"].id)
    )
    everyone = analysis.analyse(question_set, analysis.attempts_of_set(question_set, None))
    assert (mine.attempts, everyone.attempts) == (len(TYPED) + 1, len(TYPED) + 2)
    one = analysis.analyse(question_set, analysis.attempts_of_assignment(world["assignment"]))
    for alone, across in zip(one.items, mine.items, strict=True):
        assert across.attempts == alone.attempts + 1
        assert across.share_right == pytest.approx(
            alone.share_right * alone.attempts / (alone.attempts + 1)
        )


def test_the_command_rebuilds_the_tables(app, db, world):
    kept = snapshot(db)
    for model in (ItemTally, ItemStat, AssignmentStat):
        db.session.execute(delete(model))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["gradebook", "rebuild-stats"])
    assert result.exit_code == 0, result.output
    assert f"rebuilt from {len(TYPED)} attempts" in result.output
    assert snapshot(db) == kept
    refused = runner.invoke(args=["gradebook", "rebuild-stats", "--assignment", "999999"])
    assert refused.exit_code != 0 and "no assignment 999999" in refused.output
    assert snapshot(db) == kept


def test_time_buckets_and_their_median():
    assert [stats.bucket(s) for s in (-1, 0, 59.9, 119.5, 121, 599, 601, 3599, 7200)] == [
        0,
        0,
        59,
        119,
        120,
        595,
        600,
        3570,
        3600,
    ]
    assert stats.median_of({}) is None
    assert stats.median_of({10: 1, 40: 1}) == 25
    assert stats.median_of({10: 1, 20: 2, 600: 1}) == 20


# ---- two gradings of one assignment at once ----------------------------------------------------


def test_two_gradings_at_once_lose_no_increment(app, db, make_user, make_set):
    """Ada's submit is held just after its first upsert of the sums (its row locks held, on
    PostgreSQL; the write lock, on SQLite) while Ben's runs: Ben waits, then adds to Ada's
    rows instead of writing over them."""
    teacher = make_user("teacher", role="teacher")
    question_set = make_set()
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(days=1), now + timedelta(days=1)
    )
    clients = {}
    for name in ("ada", "ben"):
        student = make_user(name)
        join(classroom, student, name)
        attempt = attempts.start_attempt(student, question_set, now=now, assignment=assignment)
        attempts.save_answer(attempt, attempt.responses[0], 1, now=now)
        db.session.commit()
        client = app.test_client()
        assert (
            client.post("/auth/login", data={"username": name, "password": PASSWORD}).status_code
            == 302
        )
        clients[name] = (client, attempt.id)

    held, go = threading.Event(), threading.Event()

    def hold(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if (
            threading.current_thread().name == "ada"
            and not held.is_set()
            and statement.lstrip().upper().startswith("INSERT INTO ITEM_STAT")
        ):
            held.set()
            go.wait(timeout=30)

    results: dict[str, int] = {}

    def submit(name: str) -> None:
        client, attempt_id = clients[name]
        results[name] = client.post(f"/attempts/{attempt_id}/submit").status_code

    event.listen(db.engine, "after_cursor_execute", hold)
    try:
        ada = threading.Thread(target=submit, args=("ada",), name="ada", daemon=True)
        ada.start()
        assert held.wait(timeout=30)
        ben = threading.Thread(target=submit, args=("ben",), name="ben", daemon=True)
        ben.start()
        ben.join(timeout=0.5)
        assert ben.is_alive()  # waiting for Ada's transaction
        go.set()
        ada.join(timeout=30)
        ben.join(timeout=30)
        assert not ada.is_alive() and not ben.is_alive()
    finally:
        go.set()
        event.remove(db.engine, "after_cursor_execute", hold)
    assert results == {"ada": 302, "ben": 302}
    db.session.expire_all()
    assert db.session.get(AssignmentStat, assignment.id).attempts == 2
    sums = {s.question_key: s for s in db.session.scalars(select(ItemStat))}
    assert {key: s.n for key, s in sums.items()} == {"founding-year": 2, "investor": 2}
    assert sums["founding-year"].n_right == 2 and sums["investor"].n_right == 0
    assert_kept_equals_recomputed(db)


# ---- the page's cost ---------------------------------------------------------------------------


def analysis_statements(app, db, make_user, question_set, count_queries, students: int) -> int:
    teacher = make_user(role="teacher")
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(days=1), now + timedelta(days=1)
    )
    for i in range(students):
        student = make_user()
        join(classroom, student, f"S{i}")
        attempt = attempts.start_attempt(student, question_set, now=now, assignment=assignment)
        attempts.save_answer(attempt, attempt.responses[0], i % 3, now=now)
        attempts.submit(attempt, now=now + timedelta(seconds=i))
    db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"username": teacher.username, "password": PASSWORD})
    url = f"/classes/{classroom.id}/assignments/{assignment.id}/analysis"
    client.get(url)
    with count_queries() as counter:
        page = client.get(url)
    assert page.status_code == 200
    assert f"{students} attempts counted" in page.get_data(as_text=True)
    return counter.count


# the user; the class; the assignment; its set; the attempts counted; the current questions;
# the sums; the tallies
ANALYSIS_STATEMENTS = 8


def test_the_analysis_page_costs_the_same_for_30_students_or_90(
    app, db, make_user, make_set, count_queries
):
    question_set = make_set()
    small = analysis_statements(app, db, make_user, question_set, count_queries, 30)
    large = analysis_statements(app, db, make_user, question_set, count_queries, 90)
    assert small == large == ANALYSIS_STATEMENTS

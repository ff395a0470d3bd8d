"""Rules kept by the schema itself, on SQLite and PostgreSQL: one current version per question,
what deleting an account, an attempt or an assignment does, the login's index, and migrations
that build the same indexes and foreign keys as the models without losing rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask_migrate import downgrade, upgrade
from helpers import answer_attempt, assign
from sqlalchemy import MetaData, delete, event, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from quizapp.account.services import delete_account
from quizapp.auth.services import create_user, find_user
from quizapp.classes.assignments import delete_assignment
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.errors import ClassError
from quizapp.classes.join import join
from quizapp.config import shipped_dir
from quizapp.models import (
    Assignment,
    Attempt,
    Membership,
    Question,
    QuestionAttempt,
    QuestionProgress,
    User,
)

MIGRATIONS = str(shipped_dir("migrations"))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def count(db: Any, model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- one current version per question --------------------------------------------------------


def test_a_second_current_version_of_a_question_is_refused(db, make_set):
    question_set = make_set()
    current = db.session.scalars(select(Question).where(Question.set_id == question_set.id)).first()
    values = {
        c: getattr(current, c)
        for c in ("set_id", "key", "position", "type", "prompt", "points", "tags", "spec")
    }
    with pytest.raises(IntegrityError):
        db.session.execute(
            insert(Question).values(**values, version=2, is_current=True, content_hash="x")
        )
    db.session.rollback()
    # Earlier versions are as many as edits make: only the live one is unique.
    db.session.execute(
        insert(Question).values(**values, version=2, is_current=False, content_hash="x")
    )
    db.session.commit()
    assert count(db, Question, Question.key == current.key) == 2


# --- deleting things ------------------------------------------------------------------------


@pytest.fixture
def classroom_world(db, make_user, make_set):
    """A class with an assignment; `ada` handed it in, `bob` is halfway through it."""
    teacher = make_user("teacher", role="teacher")
    ada, bob = make_user("ada"), make_user("bob")
    question_set = make_set()
    room = create_classroom(teacher, "2nde B", "Europe/Paris")
    join(room, ada, "Ada")
    join(room, bob, "Bob")
    db.session.commit()
    assignment = assign(db, room, question_set, T0, T0 + timedelta(days=7))
    handed_in = answer_attempt(
        db,
        ada,
        question_set,
        [1, 0],
        T0 + timedelta(hours=1),
        submit_at=T0 + timedelta(hours=2),
        assignment=assignment,
    )
    halfway = answer_attempt(
        db, bob, question_set, [0], T0 + timedelta(hours=1), assignment=assignment
    )
    return {
        "teacher": teacher,
        "ada": ada,
        "bob": bob,
        "room": room,
        "assignment": assignment,
        "handed_in": handed_in,
        "halfway": halfway,
        "set": question_set,
    }


def test_deleting_an_account_deletes_its_own_work_and_nobody_elses(db, classroom_world):
    ada, bob = classroom_world["ada"], classroom_world["bob"]
    ada_id, bob_id = ada.id, bob.id
    ada_attempt = classroom_world["handed_in"].id
    assert count(db, QuestionProgress, QuestionProgress.user_id == ada_id) > 0

    delete_account(ada)
    db.session.commit()
    db.session.expunge_all()

    assert db.session.get(User, ada_id) is None
    assert count(db, Attempt, Attempt.user_id == ada_id) == 0
    assert count(db, QuestionAttempt, QuestionAttempt.attempt_id == ada_attempt) == 0
    assert count(db, Membership, Membership.user_id == ada_id) == 0
    assert count(db, QuestionProgress, QuestionProgress.user_id == ada_id) == 0
    assert count(db, Attempt, Attempt.user_id == bob_id) == 1
    assert count(db, Membership, Membership.user_id == bob_id) == 1


def test_the_database_itself_cascades_an_account_and_an_attempt(db, classroom_world):
    # A plain DELETE, as a script or an admin's SQL would run it: no ORM cascade helps.
    bob_attempt = classroom_world["halfway"].id
    ada_id = classroom_world["ada"].id
    db.session.execute(delete(Attempt).where(Attempt.id == bob_attempt))
    db.session.execute(delete(User).where(User.id == ada_id))
    db.session.commit()
    assert count(db, QuestionAttempt, QuestionAttempt.attempt_id == bob_attempt) == 0
    assert count(db, Attempt) == 0
    assert count(db, QuestionAttempt) == 0


def test_deleting_an_attempt_through_the_session_deletes_its_responses(db, classroom_world):
    attempt = classroom_world["handed_in"]
    attempt_id = attempt.id
    assert len(attempt.responses) == 2  # loaded: the ORM must not try to orphan them
    db.session.delete(attempt)
    db.session.commit()
    assert count(db, QuestionAttempt, QuestionAttempt.attempt_id == attempt_id) == 0


def test_an_assignment_with_handed_in_work_is_not_deleted(db, classroom_world):
    assignment = classroom_world["assignment"]
    with pytest.raises(ClassError, match="handed in work"):
        delete_assignment(assignment)
    db.session.rollback()
    # Nor by a plain DELETE, nor through the session: the database refuses (RESTRICT).
    with pytest.raises(IntegrityError):
        db.session.execute(delete(Assignment).where(Assignment.id == assignment.id))
    db.session.rollback()
    assert len(assignment.attempts) == 2
    with pytest.raises(IntegrityError):
        db.session.delete(assignment)
        db.session.flush()
    db.session.rollback()
    assert count(db, Attempt, Attempt.assignment_id == assignment.id) == 2
    assert count(db, QuestionAttempt) == 4


def test_an_assignment_nobody_handed_in_goes_with_its_attempts_in_progress(db, classroom_world):
    handed_in = classroom_world["handed_in"]
    db.session.delete(handed_in)
    db.session.commit()
    assignment = classroom_world["assignment"]
    assignment_id = assignment.id

    delete_assignment(assignment)
    db.session.commit()

    assert db.session.get(Assignment, assignment_id) is None
    assert count(db, Attempt) == 0
    assert count(db, QuestionAttempt) == 0


def test_a_teacher_with_classes_is_not_deleted(db, classroom_world):
    teacher_id = classroom_world["teacher"].id
    with pytest.raises(IntegrityError):
        db.session.execute(delete(User).where(User.id == teacher_id))
    db.session.rollback()
    assert db.session.get(User, teacher_id) is not None


# --- login by username ----------------------------------------------------------------------


def test_login_lookup_uses_the_username_index(db, make_user):
    # Enough accounts for PostgreSQL's planner to prefer an index to reading the table.
    db.session.execute(
        insert(User),
        [
            {"username": f"pupil{n}", "display_name": f"Pupil {n}", "password_hash": "x"}
            for n in range(2000)
        ],
    )
    make_user("grace")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text('ANALYZE "user"'))
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert find_user("  Grace ").username == "grace"
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    [(statement, parameters)] = statements

    explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    connection = db.session.connection()
    plan = " ".join(
        str(row[-1]) if db.engine.dialect.name == "sqlite" else row[0]
        for row in connection.exec_driver_sql(explain + statement, parameters)
    )
    if db.engine.dialect.name == "sqlite":
        assert "USING INDEX" in plan and "username=?" in plan, plan
    else:
        assert "Index Scan using uq_user_username" in plan, plan


def test_a_username_that_folds_longer_than_typed_is_stored(db):
    # 40 characters typed, 80 once folded ("ß" -> "ss"): no error from the column's length.
    user = create_user("ß" * 40, "correct horse battery")
    db.session.commit()
    assert user.username == "ss" * 40
    assert find_user("SS" * 40).id == user.id
    assert find_user("ß" * 40).id == user.id


# --- migrations -----------------------------------------------------------------------------


def schema_details(db: Any) -> dict[str, Any]:
    """Indexes (with a partial index's condition) and foreign keys (with ON DELETE), per table."""
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        details: dict[str, Any] = {}
        for table in sorted(db.metadata.tables):
            indexes = set()
            for index in inspector.get_indexes(table):
                options = index.get("dialect_options", {})
                where = options.get("postgresql_where") or options.get("sqlite_where")
                indexes.add(
                    (
                        index["name"],
                        tuple(index["column_names"]),
                        bool(index["unique"]),
                        " ".join(str(where).split()) if where is not None else None,
                    )
                )
            foreign_keys = {
                (
                    fk["name"],
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    (fk["options"].get("ondelete") or "NO ACTION").upper(),
                )
                for fk in inspector.get_foreign_keys(table)
            }
            uniques = {
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            }
            details[table] = {"indexes": indexes, "fks": foreign_keys, "uniques": uniques}
        return details


def drop_schema(db) -> None:
    """The models' tables and the harness's Alembic stamp: migrations start from nothing."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_migrations_build_the_models_indexes_and_foreign_keys(app, db):
    from_models = schema_details(db)
    drop_schema(db)
    upgrade(directory=MIGRATIONS)
    try:
        migrated = schema_details(db)
    finally:
        downgrade(directory=MIGRATIONS, revision="base")
        db.create_all()
    assert migrated == from_models
    # The partial conditions survived SQLite's table rebuilds.
    attempt_indexes = {index[0]: index[3] for index in migrated["attempt"]["indexes"]}
    assert "in_progress" in (attempt_indexes["uq_attempt_one_in_progress"] or "")
    question_indexes = {index[0]: index[3] for index in migrated["question"]["indexes"]}
    assert "is_current" in (question_indexes["uq_question_one_current"] or "")


def test_migration_0004_keeps_every_row(app, db):
    """SQLite rebuilds tables to change foreign keys: dropping the old one must cascade nothing."""
    drop_schema(db)
    upgrade(directory=MIGRATIONS, revision="0003")
    # question_set as 0003 left it (the models' table has columns of later migrations)
    at_0003 = MetaData()
    at_0003.reflect(db.engine)
    try:
        with db.engine.begin() as connection:
            user_id = connection.execute(
                insert(User.__table__).values(username="ada", display_name="Ada", password_hash="x")
            ).inserted_primary_key[0]
            set_id = connection.execute(
                insert(at_0003.tables["question_set"]).values(
                    slug="s",
                    title="S",
                    language="en",
                    path="s.yaml",
                    content_hash="h",
                    settings={},
                    tags=[],
                    status="active",
                    loaded_at=datetime.now(UTC),
                )
            ).inserted_primary_key[0]
            common = {"set_id": set_id, "key": "q", "position": 0, "type": "single"}
            common |= {"prompt": "?", "spec": {}, "content_hash": "h"}
            # Two current versions (a past race): the migration keeps the newest one live.
            old, new = (
                connection.execute(
                    insert(Question.__table__).values(**common, version=v, is_current=True)
                ).inserted_primary_key[0]
                for v in (1, 2)
            )
            attempt_id = connection.execute(
                insert(at_0003.tables["attempt"]).values(
                    user_id=user_id,
                    set_id=set_id,
                    number=1,
                    seed=1,
                    state="graded",
                    started_at=datetime.now(UTC),
                    max_score=1,
                )
            ).inserted_primary_key[0]
            connection.execute(  # response as 0003 left it, too (flags came later)
                insert(at_0003.tables["response"]).values(
                    attempt_id=attempt_id,
                    question_id=old,
                    position=0,
                    layout={},
                    answer="a",
                    score=1,
                )
            )

        upgrade(directory=MIGRATIONS)

        with db.engine.connect() as connection:
            assert (
                connection.scalar(select(func.count()).select_from(QuestionAttempt.__table__)) == 1
            )
            assert connection.scalar(select(func.count()).select_from(Attempt.__table__)) == 1
            current = connection.scalars(
                select(Question.__table__.c.id).where(Question.__table__.c.is_current.is_(True))
            ).all()
            assert current == [new]
    finally:
        downgrade(directory=MIGRATIONS, revision="base")
        db.create_all()

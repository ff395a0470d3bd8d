"""`flask backup` and `flask restore`: a round trip SQLite -> PostgreSQL -> SQLite that compares
every table row by row, and the refusals (another schema revision, a database with data)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask_migrate import upgrade
from fuzzing import build_world
from helpers import set_document
from sqlalchemy import select, text

from quizapp import create_app
from quizapp.config import TestConfig
from quizapp.extensions import db
from quizapp.gradebook.services import override_score
from quizapp.live import services as live_services
from quizapp.models import (
    Attempt,
    Question,
    QuestionAttempt,
    SetImage,
    SetShare,
    User,
    utcnow,
)
from quizapp.quiz import attempts

ANSWERS = {  # an answer per question type, in grading terms (original indexes)
    "single": 1,
    "multiple": [0, 2],
    "true_false": False,
    "numeric": "41,5",
    "text": "Alan Turing, « l'été » ✓",
    "order": [2, 0, 1],
    "match": [1, 0],
}


@contextmanager
def migrated_app(url: str, questions: Path) -> Iterator[Flask]:
    """An app on a database made by the migrations (at their head revision)."""
    config = type(
        "Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "QUESTIONS_DIR": str(questions)}
    )
    app = create_app(config)
    with app.app_context():
        upgrade()
        try:
            yield app
        finally:
            db.session.remove()
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.engine.dispose()


def everything() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the models, in primary-key order."""
    with db.engine.connect() as connection:
        return {
            table.name: [
                dict(row)
                for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns)
                ).mappings()
            ]
            for table in db.metadata.sorted_tables
        }


def fill_with_data(questions: Path) -> None:
    """A class, an assignment, a graded attempt with an answer of every type, an attempt in
    progress, review cards: a row in every table."""
    world = build_world(questions)
    student = db.session.get(User, world["user_id"])
    attempt = db.session.get(Attempt, world["attempt_id"])
    for response in attempt.responses:
        attempts.save_answer(attempt, response, ANSWERS[response.question.type])
    attempts.submit(attempt, now=utcnow() + timedelta(minutes=5))
    teacher = attempt.assignment.classroom.teacher if attempt.assignment else student
    override_score(attempt.responses[0], 0.5, "Partly right: «gpt»", teacher)
    second = attempts.start_attempt(student, attempt.question_set, assignment=None)
    attempts.save_answer(second, second.responses[0], 0)
    # A teacher's own set, shared, with an image and a draft (binary data round-trips too).
    from quizapp.authoring import services as authoring

    owned = authoring.create_set(
        teacher, yaml.safe_dump(set_document(id="owned")).encode(), "owned.yaml"
    )
    authoring.save(owned, "id: owned\ntitle: [broken\n", teacher)
    db.session.add_all(
        [
            SetShare(set_id=owned.id, user_id=student.id, can_edit=False),
            SetImage(
                set_id=owned.id,
                name="map.png",
                sha256="0" * 64,
                media_type="image/png",
                width=2,
                height=1,
                data=bytes(range(256)),
            ),
        ]
    )
    live = live_services.create_session(teacher, attempt.question_set)
    player, _ = live_services.join(live, None, "Zoé «x»")
    live_services.next_question(live)
    first = live_services.question_at(live, 0)
    live_services.submit_answer(live, player, 0, ANSWERS[first.type])
    db.session.commit()


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def test_round_trip_sqlite_postgresql_sqlite_keeps_every_row(tmp_path, postgres_url):
    questions = tmp_path / "questions"
    questions.mkdir()
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    with migrated_app(f"sqlite:///{tmp_path / 'a.sqlite3'}", questions) as app:
        fill_with_data(questions)
        original = everything()
        result = run(app, "backup", str(first))
        assert result.exit_code == 0, result.output
    empty = [name for name, rows in original.items() if not rows]
    assert not empty, f"give these tables rows, so that the round trip checks them: {empty}"
    assert any(r["answer"] == ANSWERS["text"] for r in original["response"])

    with migrated_app(postgres_url, questions) as app:
        result = run(app, "restore", str(first))
        assert result.exit_code == 0, result.output
        on_postgres = everything()
        assert on_postgres == original
        # the id sequences follow the restored ids: a new row gets a new id
        db.session.add(User(username="new", display_name="New", password_hash="x"))
        db.session.commit()
        assert db.session.scalar(select(User.id).where(User.username == "new")) > max(
            u["id"] for u in original["user"]
        )
        db.session.execute(User.__table__.delete().where(User.username == "new"))
        db.session.commit()
        result = run(app, "backup", str(second))
        assert result.exit_code == 0, result.output

    with migrated_app(f"sqlite:///{tmp_path / 'c.sqlite3'}", questions) as app:
        result = run(app, "restore", str(second))
        assert result.exit_code == 0, result.output
        assert everything() == original
        # and the restored data works: the graded attempt's page, the question's spec
        assert db.session.scalar(select(Question).limit(1)).spec["type"] in ANSWERS
        assert db.session.scalar(
            select(QuestionAttempt.answer).where(QuestionAttempt.position == 4)
        ) in (
            ANSWERS["text"],
            None,
        )


@pytest.fixture
def source(tmp_path) -> Iterator[tuple[Flask, Path, dict[str, list[dict[str, Any]]]]]:
    """A SQLite database with data, and its backup."""
    questions = tmp_path / "questions"
    questions.mkdir()
    with migrated_app(f"sqlite:///{tmp_path / 'source.sqlite3'}", questions) as app:
        fill_with_data(questions)
        path = tmp_path / "backup.jsonl"
        assert run(app, "backup", str(path)).exit_code == 0
        yield app, path, everything()


def test_a_database_with_data_is_refused_unless_forced(source):
    app, path, rows = source
    db.session.execute(User.__table__.update().values(display_name="changed"))
    db.session.commit()
    changed = everything()
    result = run(app, "restore", str(path))
    assert result.exit_code == 1
    assert "already holds data" in result.output and "--force" in result.output
    assert everything() == changed  # nothing changed
    result = run(app, "restore", "--force", str(path))
    assert result.exit_code == 0, result.output
    assert everything() == rows


def test_a_backup_of_another_schema_revision_is_refused(source, tmp_path):
    app, path, _rows = source
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    assert header["revision"] is not None and header["tables"]
    header["revision"] = "0001"
    other = tmp_path / "old.jsonl"
    other.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    result = run(app, "restore", "--force", str(other))
    assert result.exit_code == 1
    assert "schema revision 0001" in result.output and "flask db upgrade" in result.output


@pytest.mark.parametrize(
    "content", [b"", b"not json\n", b'{"format": "other"}\n', gzip.compress(b"x", mtime=0)]
)
def test_a_file_that_is_not_a_backup_is_refused(source, tmp_path, content):
    app, _path, rows = source
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    result = run(app, "restore", "--force", str(bad))
    assert result.exit_code == 1 and "not a quizapp backup" in result.output
    assert everything() == rows


def test_a_broken_row_changes_nothing(source, tmp_path):
    app, path, rows = source
    broken = tmp_path / "broken.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    broken.write_text("".join(lines[:5]) + '{"table": "user", "row": {"nope": 1}}\n')
    result = run(app, "restore", "--force", str(broken))
    assert result.exit_code == 1 and "broken.jsonl:6" in result.output
    assert everything() == rows  # one transaction: the deletions were rolled back too

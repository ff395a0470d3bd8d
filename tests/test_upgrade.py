"""Upgrades: a database populated at the first migration reaches the newest with every row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, select, text

from quizapp import create_app
from quizapp.config import TestConfig, shipped_dir
from quizapp.extensions import db as _db
from quizapp.health import code_head, migration_scripts
from quizapp.models import Attempt, User

MIGRATIONS = str(shipped_dir("migrations"))
T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def empty_database(database_url):
    """The test database with no table at all, emptied again afterwards."""
    app = create_app(type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    with app.app_context():
        everything = MetaData()
        everything.reflect(_db.engine)
        everything.drop_all(_db.engine)  # Alembic's table too
        yield app
        _db.session.remove()
        everything = MetaData()
        everything.reflect(_db.engine)
        everything.drop_all(_db.engine)
        _db.engine.dispose()


def populate(tables: dict[str, Table]) -> None:
    """A term of one school at the first migration: sets, versioned questions, people, attempts."""
    spec = {"choices": ["2014", "2015"], "answer": 1}
    rows: dict[str, list[dict[str, Any]]] = {
        "question_set": [
            {
                "id": n,
                "slug": f"set-{n}",
                "title": f"Set {n} — «histoire»",
                "language": "fr" if n % 2 else "en",
                "description": None if n == 2 else "Décrit",
                "source": {"title": "01net", "url": "https://example.org/a"} if n == 1 else None,
                "settings": {"feedback": "after_submit"},
                "tags": ["openai", "crypto"],
                "path": f"set-{n}.yaml",
                "content_hash": f"{n:064x}",
                "status": "active" if n < 3 else "retired",
                "load_error": None,
                "loaded_at": T0,
            }
            for n in (1, 2, 3)
        ],
        "user": [
            {
                "id": n,
                "username": f"user{n}",
                "display_name": f"Élève {n}",
                "password_hash": f"scrypt:32768:8:1$salt{n}$hash",
                "role": ("admin", "teacher", "student")[min(n - 1, 2)],
                "locale": "fr" if n % 2 else None,
                "session_version": n,
                "created_at": T0 + timedelta(minutes=n),
            }
            for n in range(1, 41)
        ],
        "question": [
            {
                "id": 10 * s + k,
                "set_id": s,
                "key": f"q{k}" if k < 4 else "q1",
                "version": 1 if k < 4 else 2,
                "is_current": k != 1,
                "retired_at": T0 if k == 1 else None,
                "position": k,
                "type": "single",
                "prompt": f"Question {k} of set {s}?",
                "points": 1.0 + k / 2,
                "tags": ["t"],
                "spec": spec,
                "content_hash": f"{10 * s + k:064x}",
                "created_at": T0,
            }
            for s in (1, 2, 3)
            for k in (1, 2, 3, 4)
        ],
        "attempt": [],
        "response": [],
    }
    for user_id in range(3, 41):
        for set_id in (1, 2):
            attempt_id = 100 * user_id + set_id
            graded = (user_id + set_id) % 3 != 0
            rows["attempt"].append(
                {
                    "id": attempt_id,
                    "user_id": user_id,
                    "set_id": set_id,
                    "number": 1,
                    "state": "graded" if graded else "in_progress",
                    "seed": attempt_id * 7,
                    "started_at": T0 + timedelta(hours=1),
                    "deadline": T0 + timedelta(hours=2) if set_id == 2 else None,
                    "submitted_at": T0 + timedelta(hours=1, minutes=20) if graded else None,
                    "score": float(user_id % 4) if graded else None,
                    "max_score": 6.0,
                }
            )
            for position, k in enumerate((2, 3, 4)):
                rows["response"].append(
                    {
                        "id": 10 * attempt_id + position,
                        "attempt_id": attempt_id,
                        "question_id": 10 * set_id + k,
                        "position": position,
                        "layout": {"order": [1, 0]},
                        "answer": (user_id + k) % 2 if position < 2 or graded else None,
                        "answered_at": T0 + timedelta(hours=1, minutes=position),
                        "score": float((user_id + k) % 2) if graded else None,
                        "points": 1.0 + k / 2 if graded else None,
                    }
                )
    with _db.engine.begin() as connection:
        for name in ("question_set", "user", "question", "attempt", "response"):
            connection.execute(tables[name].insert(), rows[name])


def snapshot(tables: dict[str, Table]) -> dict[str, list[dict[str, Any]]]:
    with _db.engine.connect() as connection:
        return {
            name: [
                dict(row._mapping)
                for row in connection.execute(select(table).order_by(*table.primary_key))
            ]
            for name, table in tables.items()
        }


def reflect() -> dict[str, Table]:
    metadata = MetaData()
    metadata.reflect(_db.engine)
    return {name: table for name, table in metadata.tables.items() if name != "alembic_version"}


def test_a_populated_database_reaches_the_newest_migration_with_every_row(empty_database):
    first = migration_scripts().get_base()
    upgrade(directory=MIGRATIONS, revision=first)
    tables = reflect()
    populate(tables)
    before = snapshot(tables)
    assert sum(map(len, before.values())) > 300

    upgrade(directory=MIGRATIONS)  # to the newest, whatever it is

    with _db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            code_head()
        )
    after_tables = reflect()
    after = snapshot({name: after_tables[name] for name in before})
    for name, rows in before.items():
        kept = [c.name for c in tables[name].columns if c.name in after_tables[name].c]
        assert [{c: row[c] for c in kept} for row in after[name]] == [
            {c: row[c] for c in kept} for row in rows
        ], f"rows of {name} changed"
    # and the code of today reads them
    attempt = _db.session.get(Attempt, 302)
    assert attempt.user.username == "user3" and attempt.state == "graded"
    assert [response.question.key for response in attempt.responses] == ["q2", "q3", "q1"]
    assert _db.session.scalar(select(_db.func.count()).select_from(User)) == 40

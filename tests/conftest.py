"""Fixtures: `app` on SQLite and PostgreSQL (QUIZAPP_TEST_POSTGRES_URL), `db`, `auth`, factories.

Requests run as in production: every request of the test client pushes its own app context,
so it has its own database session (and connection) and its own `g`; the test body keeps one
app context of its own, whose `db.session` is for set-up and checks. Before each request the
test's session commits what it set up and forgets what it loaded, so what it reads afterwards
comes from the database, as another server would see it.

The schema is created once per run and database; each test starts from empty tables (emptied
after every test), on real connections that commit: concurrency tests can open two.

pytest-flask provides `client` and `live_server` from `app`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from harness import postgres_database, running_app
from helpers import PASSWORD, set_document
from sqlalchemy import event

from quizapp.bank.sync import sync_directory
from quizapp.extensions import db as _db
from quizapp.models import QuestionSet, User


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this test session, dropped at the end."""
    with postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite file for the session (WAL, several connections, as in production)."""
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def questions_dir(tmp_path: Path) -> Path:
    path = tmp_path / "questions"
    path.mkdir()
    return path


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Settings on top of TestConfig; a module overrides this fixture to change them."""
    return {}


@pytest.fixture
def app(database_url: str, questions_dir: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    with running_app(database_url, questions_dir, app_config) as app:
        yield app


@pytest.fixture
def db(app: Flask) -> Any:
    return _db


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def register(self, username: str = "ada", password: str = PASSWORD) -> Any:
        return self.client.post(
            "/auth/register",
            data={"username": username, "password": password, "confirm": password},
        )

    def login(self, username: str = "ada", password: str = PASSWORD) -> Any:
        return self.client.post("/auth/login", data={"username": username, "password": password})

    def logout(self) -> Any:
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    from quizapp.auth.services import create_user

    counter = iter(range(1, 10_000))

    def make(username: str | None = None, role: str = "student", password: str = PASSWORD) -> User:
        user = create_user(username or f"user{next(counter)}", password, role=role)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_set(db: Any, questions_dir: Path) -> Callable[..., QuestionSet]:
    """Write a set as YAML into the app's questions folder, sync it, return its row."""

    def make(questions: list[dict[str, Any]] | None = None, **overrides: Any) -> QuestionSet:
        document = set_document(questions, **overrides)
        path = questions_dir / f"{document['id']}.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
        report = sync_directory(questions_dir)
        assert not report.failed, report.failed
        db.session.commit()
        return db.session.scalar(_db.select(QuestionSet).where(QuestionSet.slug == document["id"]))

    return make


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """`with count_queries() as counter:` counts the SQL statements run inside the block, by
    requests and by the test alike (an executemany counts once: one round trip)."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(_db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", counter)

    return counting

"""Fixtures: `app` on SQLite and PostgreSQL (QUIZAPP_TEST_POSTGRES_URL), `db`, `auth`, factories.

pytest-flask provides `client` and `live_server` from `app`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask_babel
import pytest
import yaml
from flask import Flask, g
from flask.testing import FlaskClient
from helpers import PASSWORD, set_document
from sqlalchemy import create_engine, event, make_url, text

from quizapp import create_app
from quizapp.bank.sync import sync_directory
from quizapp.config import TestConfig
from quizapp.extensions import db as _db
from quizapp.models import QuestionSet, User

POSTGRES_URL = os.environ.get("QUIZAPP_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this test session, dropped at the end."""
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI=true: QUIZAPP_TEST_POSTGRES_URL must point at a PostgreSQL server")
        pytest.skip("QUIZAPP_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    name = f"quizapp_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def questions_dir(tmp_path: Path) -> Path:
    path = tmp_path / "questions"
    path.mkdir()
    return path


@pytest.fixture
def app(database_url: str, questions_dir: Path) -> Iterator[Flask]:
    config = type(
        "Config",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "QUESTIONS_DIR": str(questions_dir)},
    )
    app = create_app(config)

    def forget_cached_user() -> None:
        # The fixture's app context outlives requests, and with it `g`; in production each
        # request has its own. Make Flask-Login load the user, and Flask-Babel choose the
        # locale, afresh for every request, as they do in production.
        g.pop("_login_user", None)
        flask_babel.refresh()

    app.before_request_funcs.setdefault(None, []).insert(0, forget_cached_user)

    with app.app_context():
        _db.create_all()
        try:
            yield app
        finally:
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()


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
    """`with count_queries() as counter:` counts the SQL statements run inside the block."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(_db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", counter)

    return counting

"""The test harness: apps whose requests run as in production, on databases whose schema is
made once per run. Fixtures (conftest.py) and modules that need an app of their own use it."""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import stamp
from sqlalchemy import create_engine, inspect, make_url, text

from quizapp import create_app
from quizapp.config import TestConfig, shipped_dir
from quizapp.extensions import db as _db

POSTGRES_URL = os.environ.get("QUIZAPP_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


@contextmanager
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped on exit."""
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


class RequestClient(FlaskClient):
    """A test client whose every request has its own app context, as under a WSGI server.

    Flask reuses an app context that is already pushed, which would give every request the
    test's database session; an empty `contextvars.Context` hides it, so each request (and
    each redirect followed) pushes its own and tears it down, session included.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            # The test's session ends its transaction (SQLite would otherwise keep its write
            # lock) and expires what it holds: it reads the request's writes afterwards.
            _db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)

    def __enter__(self) -> RequestClient:
        # `with client:` (as pytest-flask's fixture does) would keep each request's context
        # pushed after it, and with it the request's session: never, here.
        return self


@cache
def newest_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(shipped_dir("migrations")))
    return ScriptDirectory.from_config(config).get_current_head()


def ensure_schema() -> None:
    """The models' tables, stamped at the newest migration, as `flask db upgrade` leaves a
    database. Made once per run and database, and made again after a test that dropped tables
    or Alembic's stamp for its own purposes (an upgrade test, a backup round trip)."""
    present = set(inspect(_db.engine).get_table_names())
    wanted = {table.name for table in _db.metadata.sorted_tables}
    if wanted <= present and "alembic_version" in present:
        with _db.engine.connect() as connection:
            stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if stamped == newest_revision():
            return
    _db.drop_all()
    _db.create_all()
    # /readyz and a second server's start-up check read the stamp.
    stamp(directory=str(shipped_dir("migrations")))


def empty_tables() -> None:
    """Delete every row of the models' tables (schema kept), ids starting again at 1."""
    present = set(inspect(_db.engine).get_table_names())
    tables = [table for table in _db.metadata.sorted_tables if table.name in present]
    if not tables:
        return
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@contextmanager
def running_app(
    database_url: str, questions_dir: Path, overrides: dict[str, Any] | None = None
) -> Iterator[Flask]:
    """An app on `database_url` with an app context pushed for the caller; empty tables on exit."""
    config = type(
        "Config",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "QUESTIONS_DIR": str(questions_dir),
            **(overrides or {}),
        },
    )
    app = create_app(config)
    app.test_client_class = RequestClient
    with app.app_context():
        ensure_schema()
        try:
            yield app
        finally:
            _db.session.remove()
            empty_tables()
            _db.engine.dispose()

"""A throwaway app and database for a benchmark: a SQLite file, or a PostgreSQL database of
its own created on the given server and dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from quizapp import create_app
from quizapp.config import TestConfig
from quizapp.extensions import db


@contextmanager
def scratch_app(database_url: str | None, sqlite_file: Path, **config: Any) -> Iterator[Flask]:
    """An app on a fresh database, migrated to the code's revision as a deployment's is (so that
    gunicorn with gunicorn.conf.py accepts it); `config` overrides TestConfig."""
    admin = name = None
    if database_url:
        name = f"quizapp_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{sqlite_file}"
    # Built as under test (no refusal of the empty database at start), migrated, then served
    # as in production.
    settings = {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, **config}
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    try:
        with app.app_context():
            upgrade()
        app.config["TESTING"] = config.get("TESTING", False)
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()

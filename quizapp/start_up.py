"""Start-up: check the database; with AUTO_SETUP, migrate and load the question folder, once.

Every gunicorn worker builds its own app, so four workers start up at once against the same
database. The set-up runs under one lock (a PostgreSQL advisory lock, or a file lock beside a
SQLite database): the first worker migrates and syncs, the others wait, then find the schema at
its head and every file unchanged. A question file with errors never stops a worker: the sync
records it on the set (`load_error`), and an unexpected failure of the sync is logged and the
worker serves the bank as it was.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from .extensions import db

log = logging.getLogger(__name__)

# Any fixed 64-bit number, the same in every process: the key of PostgreSQL's advisory lock.
ADVISORY_LOCK_KEY = 0x717569_7A617070  # "quizapp"

_FLASK_OPTIONS_WITH_VALUE = {"--app", "-A", "--env-file", "-e"}


def flask_command(argv: list[str] | None = None) -> str | None:
    """The `flask` subcommand this process runs (`run`, `questions`...), None outside it."""
    argv = sys.argv if argv is None else argv
    if not argv or not (Path(argv[0]).name == "flask" or argv[0].endswith("flask/__main__.py")):
        return None
    words = iter(argv[1:])
    for word in words:
        if word in _FLASK_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def masked_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def start_up(app: Flask) -> None:
    """Check the database; with AUTO_SETUP, migrate and load the question folder under a lock."""
    from .cli import needs_database

    if app.config["TESTING"] or not needs_database(sys.argv):
        return
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise SystemExit(
                f"quizapp: cannot reach the database {masked_url(url)}: {reason}"
            ) from None
        if not app.config["AUTO_SETUP"]:
            return
        with set_up_lock(db.engine):
            migrate()
            # The server loads the folder; a command such as `questions validate` must not
            # publish the draft it was asked to check (`questions sync` loads itself).
            if flask_command() in (None, "run"):
                sync_questions(Path(app.config["QUESTIONS_DIR"]))


def migrate() -> None:
    from flask_migrate import upgrade

    upgrade()


def sync_questions(directory: Path) -> None:
    """Load the folder; whatever goes wrong, the worker boots and serves the bank as it was."""
    from .bank.sync import sync_directory

    try:
        report = sync_directory(directory)
        db.session.commit()
        log.info("question bank: %s", report.summary())
    except Exception:
        db.session.rollback()
        log.exception("question bank: not loaded at start, the sets stay as they were")


@contextmanager
def set_up_lock(engine: Engine) -> Iterator[None]:
    """Hold the one lock of start-up set-up for this database, across processes."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            # A session-level lock: held across the commits of the migration and the sync, on
            # a connection of its own; released on unlock, or by the server if we die.
            connection.execute(select(func.pg_advisory_lock(ADVISORY_LOCK_KEY)))
            connection.commit()
            try:
                yield
            finally:
                connection.execute(select(func.pg_advisory_unlock(ADVISORY_LOCK_KEY)))
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield  # one process only (an in-memory database), or no lock we know of
        return
    # Beside the database: every process that opens this file finds the same lock.
    with FileLock(f"{database}.setup-lock"):
        yield

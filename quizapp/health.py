"""Health checks for load balancers and orchestrators, and the schema-version guard at start.

- `/healthz`: the process answers (no database, no Redis).
- `/readyz`: the database answers and is at this code's newest migration, and Redis answers
  when rate limits are counted there; 503 with what is wrong otherwise. One query and one
  ping: cheap enough to poll every second.

At start the app refuses to serve against a schema newer than its code, and against an older
one unless it migrates by itself (`QUIZAPP_AUTO_SETUP`, on for the embedded default).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache

from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from flask.wrappers import Response
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from . import access
from .config import shipped_dir
from .extensions import db, limiter

bp = Blueprint("health", __name__)

UPGRADE_COMMAND = "flask --app quizapp db upgrade"


@cache
def migration_scripts() -> ScriptDirectory:
    return ScriptDirectory(str(shipped_dir("migrations")))


@cache
def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in migration_scripts().walk_revisions())


def code_head() -> str:
    """The newest migration this code ships."""
    return migration_scripts().get_current_head() or ""


@dataclass(frozen=True)
class SchemaState:
    database: str | None  # the database's revision; None for an empty database
    code: str

    @property
    def current(self) -> bool:
        return self.database == self.code

    @property
    def newer(self) -> bool:
        """The database was migrated by a newer quizapp than this one."""
        return self.database is not None and self.database not in known_revisions()


def schema_state(engine: Engine) -> SchemaState:
    """Read the database's migration; raises OperationalError when it cannot be reached."""
    with engine.connect() as connection:
        try:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            # One query when all is well; only a failure asks whether the table exists.
            connection.rollback()
            if engine.dialect.has_table(connection, "alembic_version"):
                raise
            revision = None
    return SchemaState(database=revision, code=code_head())


def refusal(state: SchemaState, url: str) -> str | None:
    """The message that stops the app from serving against `state`, None when it may serve."""
    if state.current:
        return None
    if state.newer:
        return (
            f"quizapp: the database {url} is at schema revision {state.database}, newer than "
            f"this quizapp knows (its newest is {state.code}). Install the quizapp release "
            f"that migrated it; to come back to this release instead, run "
            f"`flask --app quizapp db downgrade {state.code}` with the newer release, "
            f"after a backup."
        )
    found = state.database or "empty"
    return (
        f"quizapp: the database {url} is at schema revision {found}, older than this quizapp "
        f"(revision {state.code}). Run `{UPGRADE_COMMAND}` once (after a backup), then start "
        f"the app again."
    )


def check_schema_at_start(app: Flask) -> None:
    """Refuse to start against a schema this code cannot serve, with the command that fixes it."""
    # Tests build their schema with create_all; `flask db ...` is the command that fixes it.
    from .cli import needs_database
    from .start_up import flask_command, masked_url

    if app.config["TESTING"] or flask_command() == "db" or not needs_database(sys.argv):
        return
    try:
        with app.app_context():
            state = schema_state(db.engine)
    except OperationalError:
        return  # start_up names the unreachable database in one line
    if not state.newer and app.config["AUTO_SETUP"]:
        return  # start_up migrates an older schema itself
    message = refusal(state, masked_url(app.config["SQLALCHEMY_DATABASE_URI"]))
    if message:
        with app.app_context():
            db.engine.dispose()
        raise SystemExit(message)


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@access.public
def healthz() -> Response:
    return no_store(Response("ok\n", mimetype="text/plain"))


@bp.route("/readyz")
@access.public
def readyz() -> tuple[Response, int]:
    checks = {"database": database_check(), "redis": redis_check()}
    ready = all(value in ("ok", "not used") for value in checks.values())
    body = jsonify(status="ready" if ready else "not ready", **checks)
    return no_store(body), 200 if ready else 503


def database_check() -> str:
    try:
        state = schema_state(db.engine)
    except SQLAlchemyError:  # refused, timed out, pool exhausted: not ready either way
        return "unreachable"
    if state.current:
        return "ok"
    if state.newer:
        return f"schema {state.database} is newer than this code ({state.code})"
    return f"schema {state.database or 'empty'} is behind this code ({state.code})"


def redis_check() -> str:
    if not current_app.config["RATELIMIT_STORAGE_URI"].startswith(("redis", "rediss")):
        return "not used"
    return "ok" if limiter.storage.check() else "unreachable"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    check_schema_at_start(app)

"""quizapp: classroom quizzes on the history of AI and crypto."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, render_template, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import access, health, i18n, input_guard, logs, page_gate, security_headers
from .config import Config, instance_secret_key, public_url_settings, shipped_dir
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .start_up import flask_command, start_up

__all__ = ["create_app", "flask_command"]

log = logging.getLogger(__name__)


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, errors, commands, start-up."""
    app = Flask(__name__, static_folder=str(shipped_dir("static")), instance_relative_config=True)
    app.url_map.converters["int"] = BoundedInt  # ids beyond a database integer are 404s
    configure(app, config)
    logs.init_app(app)
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore
    places = page_gate.places_setting(app.config["PAGE_CONCURRENCY"])
    if places:
        app.wsgi_app = page_gate.PageGate(app.wsgi_app, places)  # type: ignore[method-assign]
    register_extensions(app)
    input_guard.init_app(app)
    security_headers.init_app(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    health.init_app(app)
    start_up(app)
    register_bank_reload(app)
    return app


class BoundedInt(IntegerConverter):
    """`<int:...>` capped at the largest id either database stores, so a huge number in a URL
    is a 404 rather than an overflow deep in the driver."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def configure(app: Flask, config: type[Config] | dict[str, Any] | None) -> None:
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    embedded = not app.config.get("SQLALCHEMY_DATABASE_URI")
    if embedded:
        db_file = Path(app.instance_path) / "quizapp.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    if app.config.get("AUTO_SETUP") is None:
        app.config["AUTO_SETUP"] = embedded
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    if app.config.get("PUBLIC_URL"):
        app.config.update(public_url_settings(app.config["PUBLIC_URL"]))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_timeout_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    cursor.close()


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            timeout = app.config["SQLITE_BUSY_TIMEOUT_MS"]
            event.listen(
                db.engine,
                "connect",
                lambda conn, rec: _sqlite_pragmas(conn, rec, timeout),
            )
    migrate.init_app(app, db, directory=str(shipped_dir("migrations")), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    skip_global_rate_limit_check(app)
    i18n.init_app(app)  # compiled catalogs first: Flask-Babel reads their folder in init_app
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    access.init_app(app)


def skip_global_rate_limit_check(app: Flask) -> None:
    """Drop Flask-Limiter's check before every request when there is no default or application
    limit: it would only find, on every page, that the page has no limit. A limited view (the
    join form) checks its own limit in its decorator; failed logins count in auth/throttle.py."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    app.before_request_funcs[None].remove(limiter._check_request_limit)


def select_locale() -> str | None:
    """`?lang=` (remembered for the session), then the account's choice, then the browser's."""
    languages = list(current_app.config["LANGUAGES"])
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    # The user as Flask-Login already loaded it: asking `current_user` here could start
    # loading it, and loading can need a translated message, hence this very function.
    user = g.get("_login_user")
    if user is not None and user.is_authenticated and user.locale in languages:
        return user.locale
    return request.accept_languages.best_match(languages)


def register_blueprints(app: Flask) -> None:
    from .account.views import bp as account_bp
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .authoring.views import bp as authoring_bp
    from .classes.views import bp as classes_bp
    from .gradebook.views import bp as gradebook_bp
    from .live import broker as live_broker
    from .live import fragments as live_fragments
    from .live.views import bp as live_bp
    from .main.views import bp as main_bp
    from .progress.views import bp as progress_bp
    from .quiz.views import bp as quiz_bp
    from .teacher.views import bp as teacher_bp

    blueprints = (
        main_bp,
        auth_bp,
        quiz_bp,
        classes_bp,
        progress_bp,
        account_bp,
        teacher_bp,
        admin_bp,
        gradebook_bp,
        authoring_bp,
        live_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    live_broker.init_app(app)
    live_fragments.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    def render_error(error: Any) -> tuple[str, int]:
        code = getattr(error, "code", 500) or 500
        return render_template("errors/error.html", code=code, error=error), code

    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, render_error)

    def database_busy(error: OperationalError) -> tuple[str, int, dict[str, str]]:
        """The database did not answer in time (SQLite's write lock past its busy timeout
        under a burst of saves; PostgreSQL out of reach or a lock timeout): a 503 the browser
        may retry, the request's transaction rolled back. SQLite also reports a missing table
        or a syntax error as an OperationalError: those stay 500s, bugs."""
        db.session.rollback()
        if isinstance(error.orig, sqlite3.OperationalError) and not any(
            words in str(error.orig) for words in ("database is locked", "database is busy")
        ):
            app.logger.error("database error", exc_info=error)
            return render_template("errors/error.html", code=500, error=error), 500, {}
        app.logger.warning("database unavailable: %s", error.orig)
        page = render_template("errors/error.html", code=503, error=error)
        return page, 503, {"Retry-After": "5"}

    app.register_error_handler(OperationalError, database_busy)


def register_commands(app: Flask) -> None:
    from .cli import (
        backup_command,
        gradebook_cli,
        live_cli,
        questions_cli,
        restore_command,
        users_cli,
    )

    app.cli.add_command(questions_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(gradebook_cli)
    app.cli.add_command(live_cli)


def register_template_helpers(app: Flask) -> None:
    from . import appearance, layout_shell, templating, typography

    templating.init_app(app)
    layout_shell.init_app(app)
    typography.init_app(app)
    appearance.init_app(app)


def register_bank_reload(app: Flask) -> None:
    """With `flask run --debug`, pick up edited question files on the next request."""
    if not app.debug:
        return
    from .bank.sync import bank_signature, sync_directory

    seen: dict[str, Any] = {}

    def reload_question_files() -> None:
        directory = Path(app.config["QUESTIONS_DIR"])
        signature = bank_signature(directory)
        if seen.get("signature") == signature:
            return
        report = sync_directory(directory)
        db.session.commit()
        seen["signature"] = signature
        log.info("question bank reloaded: %s", report.summary())

    app.before_request(reload_question_files)

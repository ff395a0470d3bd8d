"""Configuration read from the environment (every name documented in docs/DEPLOYMENT.md)."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """Return a top-level data folder (static, questions, migrations).

    A built wheel carries it inside the package; a source checkout keeps it beside the package.
    """
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


class Config:
    """Production defaults; the values that depend on the instance folder are set in `configure`."""

    TESTING = False
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("QUIZAPP_DATABASE_URL")
    SECRET_KEY: str | None = os.environ.get("QUIZAPP_SECRET_KEY")
    QUESTIONS_DIR = os.environ.get("QUIZAPP_QUESTIONS_DIR") or str(shipped_dir("questions"))
    # Embedded default: migrate and load the question sets at start. Deployments set it to 0
    # and run `flask db upgrade` and `flask questions sync` once per release instead.
    AUTO_SETUP: bool | None = (
        None
        if os.environ.get("QUIZAPP_AUTO_SETUP") is None
        else os.environ["QUIZAPP_AUTO_SETUP"].lower() in {"1", "true", "yes", "on"}
    )
    SQLITE_BUSY_TIMEOUT_MS = 5000
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's default: slow on purpose
    # Answers reaching the server this long after a time limit still count (network, clocks).
    GRACE_SECONDS = int(os.environ.get("QUIZAPP_GRACE_SECONDS", "5"))
    LANGUAGES = ("en", "fr")
    BABEL_DEFAULT_LOCALE = "en"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("QUIZAPP_SECURE_COOKIES", "0") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    MAX_CONTENT_LENGTH = 1024 * 1024
    # The CSRF token is tied to the session already; a time limit would refuse the answer of
    # a student who kept a question open for an hour.
    WTF_CSRF_TIME_LIMIT = None
    # Dates without a class's own time zone (dashboards, the bank page) are shown in this one.
    BABEL_DEFAULT_TIMEZONE = os.environ.get("QUIZAPP_TIMEZONE", "Europe/Paris")
    # The address students type or scan (join links, QR codes, login cards), when it is not
    # the one the teacher browses: `http://192.168.1.20:5000` on a laptop opened as 127.0.0.1.
    PUBLIC_URL = os.environ.get("QUIZAPP_PUBLIC_URL")
    # Behind a reverse proxy (HTTPS, another host name): trust one proxy's X-Forwarded-*.
    PROXY_FIX = os.environ.get("QUIZAPP_PROXY_FIX", "0") == "1"
    # Requests of one worker process that build their response at once (quizapp/page_gate.py).
    PAGE_CONCURRENCY = os.environ.get("QUIZAPP_PAGE_CONCURRENCY", "4")
    # Rate limits: one process can count in memory; several servers share Redis, e.g.
    # QUIZAPP_RATELIMIT_STORAGE_URI=redis://cache.example:6379/0
    RATELIMIT_STORAGE_URI = os.environ.get("QUIZAPP_RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = "quizapp"
    # A Redis that stops answering fails a login's rate-limit check (and /readyz) in 2 s
    # instead of holding the request until gunicorn kills the worker. Memory storage ignores it.
    RATELIMIT_STORAGE_OPTIONS: ClassVar[dict[str, object]] = {
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
    }
    # Per address and username: a class behind one school address still logs in at once.
    LOGIN_RATE_LIMIT = os.environ.get("QUIZAPP_LOGIN_RATE_LIMIT", "10 per minute")
    # Failed logins per address, whatever the username: one machine cannot try a whole class's
    # usernames, and a class of 30 behind one school address can mistype 60 passwords.
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get(
        "QUIZAPP_LOGIN_ADDRESS_RATE_LIMIT", "60 per 10 minutes"
    )
    JOIN_RATE_LIMIT = os.environ.get("QUIZAPP_JOIN_RATE_LIMIT", "60 per minute")
    # Live mode: failed PIN entries per address (a right PIN does not count), so a class behind
    # one school address joins at once while guessing a 6-digit PIN stays out of reach.
    LIVE_PIN_RATE_LIMIT = os.environ.get("QUIZAPP_LIVE_PIN_RATE_LIMIT", "10 per minute;60 per hour")
    # Fan-out of live events between processes and servers (Redis pub/sub); empty: in-process.
    LIVE_BROKER_URL = os.environ.get("QUIZAPP_LIVE_BROKER_URL", "")
    # A live Server-Sent Events stream ends at its phone's own moment of a cycle this long (a
    # half to one and a half of it after it opened; `live.broker.stream_end`), and the browser
    # reconnects: a room that joined in the same second reconnects spread over the cycle (300
    # phones: 5 a second), never all at once. Nothing is lost: the page catches up.
    LIVE_STREAM_SECONDS = 60
    # A live session with no activity for this long ends by itself (its PIN stops working).
    LIVE_IDLE_MINUTES = int(os.environ.get("QUIZAPP_LIVE_IDLE_MINUTES", "60"))
    # Anyone may create an account (off: accounts come from class codes, rosters and the
    # `flask users create` command; a stranger cannot sign up and practise a class's test).
    OPEN_REGISTRATION = os.environ.get("QUIZAPP_OPEN_REGISTRATION", "0").lower() in {
        "1",
        "true",
        "yes",
        "on",
    }
    # hide_parameters: a database error in the logs never carries the values of a statement
    # (a password hash, an answer).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }
    # One line per request on standard error: `text` for people, `json` for log collectors.
    LOG_FORMAT = os.environ.get("QUIZAPP_LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("QUIZAPP_LOG_LEVEL", "INFO").upper()


class TestConfig(Config):
    """Isolated settings for the test suite: callers pass the database URL."""

    TESTING = True
    SECRET_KEY = "test-only-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    AUTO_SETUP = False
    WTF_CSRF_ENABLED = False
    QUESTIONS_DIR = str(shipped_dir("questions"))
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    OPEN_REGISTRATION = True  # most tests sign up through the form; one checks it closed
    # Hundreds of accounts are created per run: a cheap hash keeps the suite fast.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    LIVE_STREAM_SECONDS = 1  # a test reading a live stream gets its end soon


def public_url_settings(url: str) -> dict[str, str]:
    """Flask's SERVER_NAME and URL scheme for QUIZAPP_PUBLIC_URL; a clear exit if malformed."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
        raise SystemExit(
            "quizapp: QUIZAPP_PUBLIC_URL must be a scheme and an address without a path, "
            f"such as http://192.168.1.20:5000, not {url!r}"
        )
    return {"SERVER_NAME": parts.netloc, "PREFERRED_URL_SCHEME": parts.scheme}


def instance_secret_key(instance_path: Path) -> str:
    """Return the key kept in the instance folder, creating it (mode 0600) on first run.

    Several workers may start at once: each writes a whole key to a temporary file and links
    it into place, which fails if another did first; all then read the one key in place.
    """
    path = instance_path / "secret_key"
    if not path.exists():
        fd, temp_name = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")  # 0600
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):
                os.link(temp_name, path)
        finally:
            os.unlink(temp_name)
    return path.read_text().strip()

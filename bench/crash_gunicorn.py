"""gunicorn settings for bench/crash.py: the app is loaded once in the master (`--preload`), so
that a SIGKILLed worker is replaced by a fork in milliseconds rather than a new import of the
app; each worker then opens its own database connections."""

from typing import Any

preload_app = True


def post_fork(server: Any, worker: Any) -> None:
    """Drop the connections inherited from the master: a socket shared by two processes
    mixes their queries (SQLAlchemy's advice for forked processes)."""
    from quizapp.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)

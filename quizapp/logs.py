"""Logs: one line per request with a request id (also sent back in `X-Request-ID`), as text or
JSON lines, on standard error (the WSGI server's error stream).

What a line may carry is chosen here, never the request itself: no query string, no form, no
cookie, no header but the request id, and the join code of `/join/<code>` shown as its rule. So
passwords, session cookies, CSRF tokens and answers stay out of the logs whatever a view does.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import wsgi_errors_stream
from flask.wrappers import Response
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect as sa_inspect

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id (nginx's $request_id, a load balancer's) is kept when it looks like one, so one
# id follows the request through every log; anything else is replaced, never echoed.
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# URL parts that open something: logged as the rule (`/join/<code>`), not the value.
SECRET_URL_PARTS = frozenset({"code", "token"})
# Polled every second by load balancers: logged only when they fail.
QUIET_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "request_id", "message"]

request_log = logging.getLogger("quizapp.request")


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request it was logged in (`-` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class QuizappHandler(logging.StreamHandler):
    """The one handler this module installs, so that building several apps adds it once."""


def configure_logging(log_format: str, level: str) -> None:
    """Send the `quizapp` loggers to standard error in `log_format` at `level`."""
    if log_format not in FORMATS:
        raise SystemExit(f"quizapp: QUIZAPP_LOG_FORMAT must be text or json, not {log_format!r}")
    if not isinstance(logging.getLevelName(level), int):
        raise SystemExit(
            f"quizapp: QUIZAPP_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}"
        )
    logger = logging.getLogger("quizapp")
    handler = next((h for h in logger.handlers if isinstance(h, QuizappHandler)), None)
    if handler is None:
        # Flask's stream: the server's error stream in a request (gunicorn's error log),
        # standard error outside one; looked up at each line, never kept.
        handler = QuizappHandler(wsgi_errors_stream)
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
    handler.setFormatter(
        JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level"})
        if log_format == "json"
        else logging.Formatter(TEXT_FORMAT)
    )
    logger.setLevel(level)
    # Our handler writes each line once, even where the root logger has handlers of its own.
    logger.propagate = False


def request_id() -> str:
    """The id of the current request: the proxy's when it gave a sane one, else a new one."""
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def start_request() -> None:
    g.request_started = time.perf_counter()
    g.pop("request_id", None)
    request_id()


def logged_path() -> str:
    rule = request.url_rule
    if rule is not None and SECRET_URL_PARTS & set(rule.arguments):
        return rule.rule
    return request.path


def log_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    if request.endpoint in QUIET_ENDPOINTS and response.status_code < 400:
        return response
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    # The user only when this request loaded it already: asking would cost a query.
    user = g.get("_login_user")
    # Its identity, which an instance expired by the request's commit keeps: `user.id` would
    # reload the row.
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    user_id = state.identity[0] if state is not None and state.identity else None
    path = logged_path()
    request_log.info(
        "%s %s %s %sms user=%s",
        request.method,
        path,
        response.status_code,
        duration_ms,
        user_id if user_id is not None else "-",
        extra={
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": user_id,
        },
    )
    return response


def init_app(app: Flask) -> None:
    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    # First of all hooks: a request refused by the access rule still gets its id and timing.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    app.after_request(log_request)

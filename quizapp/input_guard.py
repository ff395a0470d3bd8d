"""Refuse, before any view runs, input that no field may hold: NUL bytes and oversize values.

PostgreSQL refuses a NUL byte in text and JSONB, and a value of megabytes has no place in any
form; checked once for every query argument, form field and URL part, such a request is a 400
with a clear message and stores nothing, whatever the view would have done with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest


class InputRejected(BadRequest):
    """A 400 whose message (translated) the error page shows."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


def _strings() -> Iterable[str]:
    sources = [request.args] if request.query_string else []
    # A request without a body has no form and no files: not parsed for nothing on every GET.
    has_body = bool(request.content_length) or "Transfer-Encoding" in request.headers
    if has_body:
        sources.append(request.form)
    for multidict in sources:
        for key, values in multidict.lists():
            yield key
            yield from values
    if has_body:
        for key, file in request.files.items(multi=True):
            yield key
            yield file.filename or ""
    for value in (request.view_args or {}).values():
        if isinstance(value, str):
            yield value


def check_request() -> None:
    """Refuse the request if one of its values holds a NUL byte or is too long."""
    limit = current_app.config["MAX_FIELD_LENGTH"]
    for value in _strings():
        if "\x00" in value:
            raise InputRejected(_("The request contains a NUL character, which no field accepts."))
        if len(value) > limit:
            raise InputRejected(
                _("A field is longer than %(limit)d characters: shorten it.", limit=limit)
            )


def init_app(app: Flask) -> None:
    app.config.setdefault("MAX_FIELD_LENGTH", 20_000)
    # First of all the request hooks: before CSRF, login or any view looks at the input.
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)

"""Refuse, before any view runs, input that no field may hold: NUL bytes and oversize values.

PostgreSQL refuses a NUL byte in text and JSONB, and a value of megabytes has no place in any
form; checked once for every query argument, form field and URL part, such a request is a 400
with a clear message and stores nothing, whatever the view would have done with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest


class InputRejected(BadRequest):
    """A 400 whose message (translated) the error page shows."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


F = TypeVar("F", bound=Callable[..., Any])


def long_fields(*names: str) -> Callable[[F], F]:
    """Let these form fields of a view be as long as a request may be (`MAX_CONTENT_LENGTH`):
    a question set's YAML, edited in the browser. NUL bytes are refused all the same."""

    def decorate(view: F) -> F:
        view.long_fields = frozenset(names)  # type: ignore[attr-defined]
        return view

    return decorate


def body_limit(max_bytes: int) -> Callable[[F], F]:
    """Let this view's requests be up to `max_bytes` (an upload of a set with its images)
    rather than `MAX_CONTENT_LENGTH`; over it, a 413 as for any request."""

    def decorate(view: F) -> F:
        view.body_limit = max_bytes  # type: ignore[attr-defined]
        return view

    return decorate


def _has_body() -> bool:
    """A request without a body has no form and no files: not parsed for nothing on every GET."""
    return bool(request.content_length) or "Transfer-Encoding" in request.headers


def _strings() -> Iterable[str]:
    view = current_app.view_functions.get(request.endpoint or "")
    exempt: frozenset[str] = getattr(view, "long_fields", frozenset())
    if request.query_string:
        for key, values in request.args.lists():
            yield key
            yield from values
    if _has_body():
        for key, values in request.form.lists():
            yield key
            if key not in exempt:
                yield from values
        for key, file in request.files.items(multi=True):
            yield key
            yield file.filename or ""
    for value in (request.view_args or {}).values():
        if isinstance(value, str):
            yield value


def check_request() -> None:
    """Refuse the request if one of its values holds a NUL byte or is too long."""
    limit = current_app.config["MAX_FIELD_LENGTH"]
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "body_limit", None):
        request.max_content_length = view.body_limit  # type: ignore[union-attr]
    if _has_body():  # long fields too (`long_fields` lifts the length limit only)
        for values in request.form.listvalues():
            if any("\x00" in value for value in values):
                raise InputRejected(
                    _("The request contains a NUL character, which no field accepts.")
                )
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

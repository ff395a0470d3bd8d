"""Access rules: every view declares who may call it, and a view without a rule is refused.

    @bp.route("/")
    @access.public              anyone
    @access.logged_in           any account
    @access.roles("teacher")    these roles (admin always passes)

Rules decide by role; whether a user may see one particular object (their own attempt) is
decided by the service that loads it, which answers 404 rather than revealing it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request
from flask_login import current_user
from sqlalchemy import bindparam, select

from .extensions import db, login_manager
from .models import User

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
LOGGED_IN = "logged_in"
ADMIN = "admin"


def rule(*allowed: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        view.access = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return decorate


public = rule(PUBLIC)
logged_in = rule(LOGGED_IN)


def roles(*names: str) -> Callable[[F], F]:
    return rule(*names, ADMIN)


def rule_of(endpoint: str) -> frozenset[str] | None:
    """The rule of an endpoint; `static` is public, an undeclared view has none."""
    if endpoint == "static":
        return frozenset({PUBLIC})
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce() -> Any:
    if request.endpoint is None:  # no route matched: the 404 handler answers
        return None
    allowed = rule_of(request.endpoint)
    if allowed is None:
        abort(403)  # default deny: a view that forgot its rule is closed, not open
    if PUBLIC in allowed:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if LOGGED_IN in allowed or current_user.role in allowed:
        return None
    abort(403)


# Every logged-in request's first statement, built once (`Session.get` composes its own
# statement at each call: a tenth of a question page).
_USER_BY_ID = select(User).where(User.id == bindparam("id"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the user of a session cookie `id.version`; a stale version logs the session out."""
    ident, _, version = user_id.partition(".")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.execute(_USER_BY_ID, {"id": int(ident)}).scalar_one_or_none()
    if user is None or user.session_version != int(version):
        return None
    return user


def init_app(app: Flask) -> None:
    app.before_request(enforce)

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from .. import access
from ..enums import Role
from ..extensions import db
from . import throttle
from .forms import LoginForm, RegisterForm
from .services import UsernameTaken, authenticate, create_user, end_sessions, normalize_username

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.record_once
def _warn_if_counts_are_per_process(state: BlueprintSetupState) -> None:
    throttle.warn_if_counts_are_per_process(cast(Flask, state.app))


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def home_of(user: Any) -> str:
    """Where a user lands: teachers (and administrators) on their classes, students on the
    quizzes."""
    if user.role in (Role.teacher, Role.admin):
        return url_for("classes.index")
    return url_for("quiz.catalogue")


@bp.route("/register", methods=["GET", "POST"])
@access.public
def register() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("quiz.catalogue"))
    if not current_app.config["OPEN_REGISTRATION"]:
        flash(
            _("Accounts are not open to all here: join your class with its code instead."),
            "info",
        )
        return redirect(url_for("classes.join"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.username.data, form.password.data, display_name=form.display_name.data
            )
        except UsernameTaken:
            form.username.errors.append(_("This username is already taken."))
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s!", name=user.display_name), "success")
            return redirect(url_for("quiz.catalogue"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@access.public
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(home_of(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        # Counted before the password is checked: parallel guesses cannot outrun the count.
        ticket = throttle.acquire(get_remote_address(), normalize_username(form.username.data))
        if ticket is None:
            abort(429)
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            ticket.refund()  # only failures count
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(home_of(user)))
        form.password.errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@access.logged_in
def logout() -> Response:
    # A copy of the cookie (a shared computer, a stolen cookie) must not outlive the logout:
    # a new session version ends every session of the account, on every device.
    end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import access
from ..appearance import THEME_COOKIE, THEME_COOKIE_AGE
from ..auth.views import home_of
from ..enums import Theme
from ..extensions import db
from .forms import ThemeForm

bp = Blueprint("main", __name__)


@bp.route("/")
@access.public
def index() -> str | Response:
    if current_user.is_authenticated:
        return redirect(home_of(current_user))
    return render_template("main/index.html")


@bp.route("/favicon.ico")
@access.public
def favicon() -> Response:
    """The SVG mark, for browsers that ask for /favicon.ico without reading the page's link."""
    folder = current_app.static_folder
    assert folder is not None
    svg = (Path(folder) / "img" / "favicon.svg").read_bytes()
    return Response(
        svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


def _same_site(target: str | None) -> str:
    parts = urlsplit(target or "")
    if target and target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return url_for("main.index")


@bp.route("/theme", methods=["POST"])
@access.public
def theme() -> Response:
    """Remember a colour scheme: on the account when logged in, and in a cookie for this browser."""
    form = ThemeForm()
    if not form.validate():
        abort(400)
    chosen = Theme(form.theme.data)
    if current_user.is_authenticated:
        current_user.theme = chosen.value
        db.session.commit()
    response = redirect(_same_site(form.next.data))
    response.set_cookie(
        THEME_COOKIE,
        chosen.value,
        max_age=THEME_COOKIE_AGE,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
    )
    return response

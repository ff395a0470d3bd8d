from __future__ import annotations

from flask import Blueprint, redirect, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import access
from ..auth.views import home_of

bp = Blueprint("main", __name__)


@bp.route("/")
@access.public
def index() -> str | Response:
    if current_user.is_authenticated:
        return redirect(home_of(current_user))
    return render_template("main/index.html")

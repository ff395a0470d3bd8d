from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import access

bp = Blueprint("main", __name__)


@bp.route("/")
@access.public
def index() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("quiz.catalogue"))
    return render_template("main/index.html")

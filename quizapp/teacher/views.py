from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from .. import access
from ..extensions import db
from ..models import Question, QuestionSet

bp = Blueprint("teacher", __name__, url_prefix="/teacher")


@bp.route("/bank")
@access.roles("teacher")
def bank() -> str:
    """The question sets as loaded, with the errors of files that could not be loaded."""
    sets = db.session.scalars(select(QuestionSet).order_by(QuestionSet.status, QuestionSet.path))
    counts = dict(
        db.session.execute(
            select(Question.set_id, func.count())
            .where(Question.is_current.is_(True))
            .group_by(Question.set_id)
        ).all()
    )
    return render_template("teacher/bank.html", sets=list(sets), counts=counts)

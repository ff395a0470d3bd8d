"""The student's dashboard, review of missed questions, and practice after a deadline."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from .. import access, visibility
from ..classes.assignments import AssignmentRow, student_assignments
from ..classes.views import member_assignment, own_classroom
from ..enums import Role
from ..extensions import db
from ..models import Classroom, Membership, QuestionProgress, User, utcnow
from ..models import QuestionAttempt as QuizResponse
from ..qtypes import InvalidAnswer
from ..quiz import attempts, catalogue
from ..quiz.forms import AnswerError, answer_from, build_form
from ..templating import current_locale, local_date, local_time
from . import charts, services

bp = Blueprint("progress", __name__)


def dashboard_context(user: User, *, classroom: Classroom | None = None) -> dict[str, object]:
    """The dashboard of `user`; seen by a teacher (`classroom`), only that class's work."""
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2**31:
        before = None
    rows = student_assignments(user)
    scope = None
    if classroom is not None:
        rows = [r for r in rows if r.assignment.classroom_id == classroom.id]
        scope = [a.id for a in classroom.assignments]
    attempts, next_cursor = services.history(user.id, before, scope)
    series = services.score_series(user.id, scope)
    mastery = services.mastery(user.id) if scope is None else services.mastery_in(user.id, scope)
    context: dict[str, object] = {
        "student": user,
        "own": classroom is None,
        "assignments": rows,
        "attempts": attempts,
        "next_cursor": next_cursor,
        "series": series,
        "mastery": mastery,
        "due": services.due_count(user.id, hidden=_hidden_sets(rows))
        if classroom is None
        else None,
    }
    if series:
        context["scores_svg"] = charts.scores_chart(
            charts.distinct_labels(
                [local_date(when) for when, _f, _t in series],
                [local_time(when) for when, _f, _t in series],
            ),
            [fraction * 100 for _w, fraction, _t in series],
            "scores-caption",
        )
    if mastery:
        labels = catalogue.topic_labels(current_locale())
        context["topic_labels"] = labels
        context["mastery_svg"] = charts.mastery_chart(
            [labels.get(m.tag, m.tag) for m in mastery],
            [m.score * 100 for m in mastery],
            "mastery-caption",
        )
    return context


def _hidden_sets(rows: list[AssignmentRow]) -> set[int]:
    """The sets whose key a pending assignment hides, from the student's assignment rows
    (every assignment of their active classes, and whether they handed it in): what
    `visibility.hidden_set_ids` would read again."""
    now = utcnow()
    return {
        r.assignment.set_id for r in rows if visibility.hides(r.assignment, r.attempts > 0, now)
    }


@bp.route("/dashboard")
@access.logged_in
def dashboard() -> str:
    return render_template("progress/dashboard.html", **dashboard_context(current_user))


@bp.route("/dashboard/missed.apkg")
@access.logged_in
def anki_deck() -> HTTPResponse:
    """The student's missed questions whose feedback they may see, as an Anki deck."""
    from . import anki

    missed = anki.missed_questions(current_user, utcnow())
    if not missed:
        flash(_("No missed question with its feedback visible yet: nothing to export."))
        return redirect(url_for("progress.dashboard"))
    return HTTPResponse(
        anki.deck(current_user, missed),
        mimetype="application/apkg",
        headers={"Content-Disposition": 'attachment; filename="quizapp-missed.apkg"'},
    )


@bp.route("/classes/<int:classroom_id>/students/<int:user_id>")
@access.roles(Role.teacher)
def student(classroom_id: int, user_id: int) -> str:
    classroom = own_classroom(classroom_id)
    membership = db.session.scalar(
        select(Membership).where(
            Membership.classroom_id == classroom.id, Membership.user_id == user_id
        )
    )
    if membership is None:
        abort(404)
    context = dashboard_context(membership.user, classroom=classroom)
    return render_template(
        "progress/dashboard.html", classroom=classroom, membership=membership, **context
    )


def _review_page(progress: QuestionProgress, question, form, *, result=None, status=200):
    response = QuizResponse(question=question, layout=services.review_layout(progress, question))
    if form is None:
        form = build_form(response)
    return render_template(
        "progress/review.html",
        progress=progress,
        question=question,
        form=form,
        response=response,
        result=result,
        due=services.due_count(current_user.id),
    ), status


@bp.route("/review")
@access.logged_in
def review() -> str | tuple[str, int]:
    found = services.next_due(current_user.id)
    if found is None:
        return render_template("progress/review_done.html"), 200
    progress, question = found
    return _review_page(progress, question, None)


@bp.route("/review/<int:progress_id>", methods=["POST"])
@access.logged_in
def review_answer(progress_id: int) -> str | tuple[str, int] | HTTPResponse:
    progress = db.session.get(QuestionProgress, progress_id)
    if progress is None or progress.user_id != current_user.id:
        abort(404)
    now = utcnow()
    found = services.next_due(current_user.id, now)
    if found is None or found[0].id != progress.id:
        return redirect(url_for("progress.review"))  # answered already, or not due
    question = found[1]
    layout_response = QuizResponse(
        question=question, layout=services.review_layout(progress, question)
    )
    form = build_form(layout_response, request.form)
    if not form.validate():
        return _review_page(progress, question, form, status=422)
    try:
        answer = answer_from(form, layout_response)
    except AnswerError as error:
        form.form_errors.append(str(error))
        return _review_page(progress, question, form, status=422)
    except InvalidAnswer:
        abort(400)
    if answer is None:
        form.form_errors.append(_("Answer the question, or come back to it later."))
        return _review_page(progress, question, form, status=422)
    layout_response.answer = answer
    score = services.review(progress, question, answer, now)
    layout_response.score = score
    layout_response.points = score * question.points
    db.session.commit()
    return _review_page(progress, question, form, result=layout_response)


@bp.route("/assignments/<int:assignment_id>/practice", methods=["POST"])
@access.logged_in
def practice(assignment_id: int) -> HTTPResponse:
    """Retake a closed assignment's questions for no credit."""
    assignment = member_assignment(assignment_id)
    now = utcnow()
    refusal = catalogue.practice_refusal(current_user, assignment, now)
    if refusal is not None:
        flash(str(refusal), "info")
        return redirect(url_for("classes.assignments"))
    try:
        attempt = attempts.start_attempt(current_user, assignment.question_set, practice=True)
    except attempts.QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("classes.assignments"))
    db.session.commit()
    return redirect(url_for("quiz.question", attempt_id=attempt.id, number=1))

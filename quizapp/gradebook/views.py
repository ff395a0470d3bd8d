"""Teachers' views of their classes' work. Every page is a GET without side effects; the two
writes (a score override, an assignment's score rule) are POSTs with CSRF."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as HTTPResponse

from .. import access, visibility
from ..classes.views import own_classroom
from ..enums import ScoreRule
from ..extensions import db
from ..models import Assignment, Attempt, Classroom, Membership, QuestionAttempt, QuestionSet, Role
from ..progress.charts import mastery_chart
from ..quiz.views import describe_answer
from . import analysis as analysis_services
from . import exports, services
from .exports import Column
from .forms import OverrideForm, ScoreRuleForm

bp = Blueprint("gradebook", __name__)


def _class_assignment(classroom: Classroom, assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.classroom_id != classroom.id:
        abort(404)
    return assignment


def _page_arg() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() else 1


@bp.route("/classes/<int:classroom_id>/gradebook")
@access.roles(Role.teacher)
def gradebook(classroom_id: int) -> str:
    classroom = own_classroom(classroom_id)
    sort = request.args.get("sort", "name")
    descending = request.args.get("dir") == "desc"
    book = services.gradebook(classroom, sort, descending, _page_arg())
    return render_template(
        "gradebook/gradebook.html",
        book=book,
        classroom=classroom,
        sort=sort,
        descending=descending,
        rule_form=ScoreRuleForm(formdata=None),
    )


@bp.route("/classes/<int:classroom_id>/assignments/<int:assignment_id>/rule", methods=["POST"])
@access.roles(Role.teacher)
def score_rule(classroom_id: int, assignment_id: int) -> HTTPResponse:
    classroom = own_classroom(classroom_id)
    assignment = _class_assignment(classroom, assignment_id)
    form = ScoreRuleForm()
    if not form.validate():
        abort(400)
    assignment.score_rule = form.rule.data
    db.session.commit()
    flash(_("Score rule saved."), "success")
    return redirect(url_for("gradebook.gradebook", classroom_id=classroom.id))


def _attempt_of(classroom: Classroom, attempt_id: int) -> Attempt:
    attempt = services.class_attempt(classroom, attempt_id)
    if attempt is None:
        abort(404)
    return attempt


def attempt_page(
    classroom: Classroom, attempt: Attempt, form: OverrideForm | None = None, failed: int = 0
) -> str:
    membership = db.session.scalar(
        db.select(Membership).where(
            Membership.classroom_id == classroom.id, Membership.user_id == attempt.user_id
        )
    )
    return render_template(
        "gradebook/attempt.html",
        classroom=classroom,
        attempt=attempt,
        membership=membership,
        rows=services.attempt_responses(attempt),
        shown_key=visibility.attempt_key_visible(attempt),
        form=form or OverrideForm(formdata=None),
        failed=failed,
    )


@bp.route("/classes/<int:classroom_id>/attempts/<int:attempt_id>")
@access.roles(Role.teacher)
def attempt(classroom_id: int, attempt_id: int) -> str:
    classroom = own_classroom(classroom_id)
    return attempt_page(classroom, _attempt_of(classroom, attempt_id))


@bp.route(
    "/classes/<int:classroom_id>/attempts/<int:attempt_id>/responses/<int:response_id>/override",
    methods=["POST"],
)
@access.roles(Role.teacher)
def override(classroom_id: int, attempt_id: int, response_id: int) -> str | HTTPResponse | tuple:
    classroom = own_classroom(classroom_id)
    attempt = _attempt_of(classroom, attempt_id)
    response = db.session.scalar(
        db.select(QuestionAttempt)
        .options(joinedload(QuestionAttempt.question))
        .where(QuestionAttempt.id == response_id, QuestionAttempt.attempt_id == attempt.id)
    )
    if response is None:
        abort(404)
    form = OverrideForm()
    if form.validate():
        try:
            services.override_score(
                response, float(form.points.data), form.comment.data or "", current_user
            )
        except services.OverrideError as error:
            db.session.rollback()
            form.points.errors = [
                _("An attempt in progress cannot be scored yet.")
                if str(error) == "in progress"
                else _(
                    "Give between 0 and %(max)s points.",
                    max=f"{response.question.points:g}",
                )
            ]
        else:
            db.session.commit()
            flash(_("Score changed."), "success")
            return redirect(
                url_for("gradebook.attempt", classroom_id=classroom.id, attempt_id=attempt.id)
                + f"#response-{response.id}"
            )
    return attempt_page(classroom, attempt, form, response.id), 422


@bp.app_template_global()
def rule_label(rule: str) -> str:
    labels: dict[str, str] = {
        ScoreRule.best: _("best attempt"),
        ScoreRule.last: _("last attempt"),
        ScoreRule.average: _("average of the attempts"),
    }
    return labels.get(rule, rule)


def _analysis_page(
    analysis: analysis_services.Analysis,
    back: tuple[str, str],
    assignment: Assignment | None = None,
) -> str:
    items = [i for i in analysis.items if i.attempts]
    chart = (
        mastery_chart(
            [f"{i.position + 1}. {i.key}" for i in items],
            [i.share_right * 100 for i in items],
            "facility-caption",
        )
        if items
        else None
    )
    return render_template(
        "gradebook/analysis.html", analysis=analysis, chart=chart, back=back, assignment=assignment
    )


@bp.route("/classes/<int:classroom_id>/assignments/<int:assignment_id>/analysis")
@access.roles(Role.teacher)
def assignment_analysis(classroom_id: int, assignment_id: int) -> str:
    classroom = own_classroom(classroom_id)
    assignment = _class_assignment(classroom, assignment_id)
    analysis = analysis_services.analyse(
        assignment.question_set, analysis_services.attempts_of_assignment(assignment)
    )
    back = (
        url_for("classes.results", classroom_id=classroom.id, assignment_id=assignment.id),
        classroom.name,
    )
    return _analysis_page(analysis, back, assignment)


@bp.route("/teacher/sets/<int:set_id>/analysis")
@access.roles(Role.teacher)
def set_analysis(set_id: int) -> str:
    """A set across all of the teacher's classes (an admin: everyone's)."""
    question_set = db.session.get(QuestionSet, set_id)
    if question_set is None:
        abort(404)
    teacher_id = None if current_user.role == Role.admin else current_user.id
    analysis = analysis_services.analyse(
        question_set, analysis_services.attempts_of_set(question_set, teacher_id)
    )
    return _analysis_page(analysis, (url_for("teacher.bank"), _("Question bank")))


# ---- exports: GETs that only read ------------------------------------------------------------

FORMATS = ("csv", "xlsx")


def _download(title: str, columns: list[Column], rows: list[list[Any]], name: str, fmt: str):
    if fmt == "csv":
        body, mimetype = exports.to_csv(columns, rows), exports.CSV_TYPE
    else:
        body, mimetype = exports.to_xlsx(title, columns, rows), exports.XLSX_TYPE
    return send_file(
        io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0
    )


def _cell_value(cell: services.Cell) -> Any:
    if cell.state == services.CellState.scored:
        return cell.score
    return cell_label(cell.state)


@bp.app_template_global()
def cell_label(state: str) -> str:
    return {
        "in_progress": _("in progress"),
        "missed": _("missed"),
        "upcoming": _("coming up"),
        "not_started": _("not started"),
    }.get(state, state)


@bp.route("/classes/<int:classroom_id>/gradebook.<fmt>")
@access.roles(Role.teacher)
def export_gradebook(classroom_id: int, fmt: str) -> Any:
    if fmt not in FORMATS:
        abort(404)
    classroom = own_classroom(classroom_id)
    book = services.gradebook(classroom, per_page=None)
    columns = [Column(_("Student"))]
    for a in book.assignments:
        columns += [Column(a.question_set.title, "fraction"), Column(_("Late"))]
    rows = []
    for m in book.members:
        row: list[Any] = [m.display_name]
        for a in book.assignments:
            cell = book.cell(m.user_id, a)
            row += [_cell_value(cell), _("late") if cell.late else ""]
        rows.append(row)
    name = exports.file_name(classroom.name, _("gradebook"), extension=fmt, day=date.today())
    return _download(_("Gradebook"), columns, rows, name, fmt)


@bp.route("/classes/<int:classroom_id>/assignments/<int:assignment_id>/responses.<fmt>")
@access.roles(Role.teacher)
def export_responses(classroom_id: int, assignment_id: int, fmt: str) -> Any:
    """One row per student, attempt and question of the assignment's finished attempts."""
    if fmt not in FORMATS:
        abort(404)
    classroom = own_classroom(classroom_id)
    assignment = _class_assignment(classroom, assignment_id)
    columns = [
        Column(_("Student")),
        Column(_("Attempt"), "integer"),
        Column(_("Question")),
        Column(_("Answer")),
        Column(_("Score"), "fraction"),
        Column(_("Points"), "number"),
        Column(_("Late")),
    ]
    rows = [
        [
            name,
            number,
            f"{question.position + 1}. {question.key}",
            describe_answer(question, answer),
            override if override is not None else score,
            override * question.points if override is not None else points,
            _("late") if late else "",
        ]
        for name, number, question, answer, score, points, override, late in db.session.execute(
            services.responses_query(assignment)
        )
    ]
    name = exports.file_name(
        classroom.name, assignment.question_set.title, extension=fmt, day=date.today()
    )
    return _download(assignment.question_set.title, columns, rows, name, fmt)


@bp.route("/classes/<int:classroom_id>/assignments/<int:assignment_id>/analysis.<fmt>")
@access.roles(Role.teacher)
def export_analysis(classroom_id: int, assignment_id: int, fmt: str) -> Any:
    if fmt not in FORMATS:
        abort(404)
    classroom = own_classroom(classroom_id)
    assignment = _class_assignment(classroom, assignment_id)
    analysis = analysis_services.analyse(
        assignment.question_set, analysis_services.attempts_of_assignment(assignment)
    )
    columns = [
        Column(_("Question")),
        Column(_("Attempts"), "integer"),
        Column(_("Share right"), "fraction"),
        Column(_("Mean score"), "fraction"),
        Column(_("Discrimination"), "number"),
        Column(_("Median time"), "number"),
        Column(_("To look at")),
    ]
    rows = [
        [
            f"{i.position + 1}. {i.key}",
            i.attempts,
            i.share_right,
            i.mean_score,
            i.discrimination,
            i.median_seconds,
            " ".join(i.flags),
        ]
        for i in analysis.items
    ]
    name = exports.file_name(
        classroom.name,
        assignment.question_set.title,
        _("analysis"),
        extension=fmt,
        day=date.today(),
    )
    return _download(_("Item analysis"), columns, rows, name, fmt)


@bp.route("/classes/<int:classroom_id>/assignments/<int:assignment_id>/live")
@access.roles(Role.teacher)
def live(classroom_id: int, assignment_id: int) -> str:
    """The assignment while the class works on it; static/js/live.js refreshes it in place,
    a reload does the same without JavaScript. `?projector=1`: large type for the board."""
    classroom = own_classroom(classroom_id)
    assignment = _class_assignment(classroom, assignment_id)
    return render_template(
        "gradebook/live.html",
        classroom=classroom,
        assignment=assignment,
        live=services.live(assignment),
        projector=request.args.get("projector") == "1",
    )

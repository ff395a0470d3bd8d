"""Teachers' classes, joining with a code, and students' assignments."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as HTTPResponse

from .. import access
from ..auth import throttle
from ..enums import Role
from ..extensions import db, limiter
from ..models import Assignment, Classroom, Membership, utcnow
from ..quiz import attempts as quiz_attempts
from ..quiz.catalogue import start_facts
from . import accounts, classrooms, reports
from . import assignments as assignment_service
from . import join as join_service
from . import roster as roster_service
from .errors import ClassError
from .forms import (
    COMMON_TIMEZONES,
    ArchiveForm,
    AssignmentForm,
    ClassroomForm,
    CodeForm,
    ConfirmForm,
    JoinForm,
    JoinNewForm,
    NewCardsForm,
    RosterForm,
)

bp = Blueprint("classes", __name__)


def own_classroom(classroom_id: int, *options: Any) -> Classroom:
    """A class of the current teacher (any class for an admin); 404 for anyone else.
    `options`: loader options for what the page shows of it."""
    classroom = db.session.get(Classroom, classroom_id, options=options)
    if classroom is None:
        abort(404)
    if not classrooms.may_manage(current_user, classroom):
        abort(404)
    return classroom


def _editable(classroom: Classroom) -> None:
    if classroom.archived:
        abort(409)


@bp.route("/classes", methods=["GET", "POST"])
@access.roles(Role.teacher)
def index() -> str | HTTPResponse | tuple[str, int]:
    form = ClassroomForm()
    if form.validate_on_submit():
        classroom = classrooms.create_classroom(current_user, form.name.data, form.timezone.data)
        db.session.commit()
        flash(_("Class created. Share its code with your students."), "success")
        return redirect(url_for("classes.detail", classroom_id=classroom.id))
    status = 422 if form.errors else 200
    return render_template(
        "classes/index.html",
        classrooms=classrooms.managed_classrooms(current_user),
        form=form,
        timezones=COMMON_TIMEZONES,
    ), status


@bp.route("/classes/<int:classroom_id>")
@access.roles(Role.teacher)
def detail(classroom_id: int) -> str:
    # Students with their accounts and assignments with their sets, one query each: the page
    # costs the same for 3 students or 30.
    return detail_page(
        own_classroom(
            classroom_id,
            selectinload(Classroom.memberships).joinedload(Membership.user),
            selectinload(Classroom.assignments).joinedload(Assignment.question_set),
        )
    )


def detail_page(classroom: Classroom, assignment_form: AssignmentForm | None = None) -> str:
    """The class page; `assignment_form` carries a refused assignment's data and errors."""
    return render_template(
        "classes/detail.html",
        classroom=classroom,
        join_url=url_for("classes.join", code=classroom.join_code, _external=True),
        done=reports.done_counts(classroom),
        roster_form=RosterForm(formdata=None),
        assignment_form=assignment_form or AssignmentForm(formdata=None),
        code_form=CodeForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        archive_form=ArchiveForm(formdata=None),
        cards_form=NewCardsForm(formdata=None),
        now=utcnow(),
    )


@bp.route("/classes/<int:classroom_id>/qr.svg")
@access.roles(Role.teacher)
def qr_code(classroom_id: int) -> Response:
    classroom = own_classroom(classroom_id)
    url = url_for("classes.join", code=classroom.join_code, _external=True)
    buffer = io.BytesIO()
    import segno  # here: the few pages with a QR code; megabytes per worker otherwise

    segno.make(url, error="m").save(
        buffer, kind="svg", scale=8, border=2, title=_("Join %(name)s", name=classroom.name)
    )
    return Response(
        buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"}
    )


@bp.route("/classes/<int:classroom_id>/code", methods=["POST"])
@access.roles(Role.teacher)
def renew_code(classroom_id: int) -> HTTPResponse:
    classroom = own_classroom(classroom_id)
    _editable(classroom)
    form = CodeForm()
    if not form.validate():
        abort(400)
    days = form.valid_days.data
    classrooms.renew_join_code(classroom, timedelta(days=days) if days else None)
    db.session.commit()
    flash(
        _("New join code: %(code)s. The old one no longer works.", code=classroom.join_code),
        "success",
    )
    return redirect(url_for("classes.detail", classroom_id=classroom.id))


@bp.route("/classes/<int:classroom_id>/archive", methods=["POST"])
@access.roles(Role.teacher)
def archive(classroom_id: int) -> HTTPResponse:
    classroom = own_classroom(classroom_id)
    if not ArchiveForm().validate():
        flash(_("Tick the box to confirm, then archive."), "error")
        return redirect(url_for("classes.detail", classroom_id=classroom.id) + "#archive-heading")
    classrooms.archive(classroom)
    db.session.commit()
    flash(_("The class is archived: its code no longer works and its results are kept."), "info")
    return redirect(url_for("classes.index"))


@bp.route("/classes/<int:classroom_id>/roster", methods=["POST"])
@access.roles(Role.teacher)
def roster(classroom_id: int) -> str | tuple[str, int]:
    classroom = own_classroom(classroom_id)
    _editable(classroom)
    form = RosterForm()
    errors: list[str] = []
    if form.validate():
        text = form.names.data or ""
        if form.file.data:
            try:
                text = form.file.data.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                errors = [_("The file is not UTF-8 text: save it as CSV UTF-8.")]
        if not errors:
            try:
                cards = roster_service.add_roster(classroom, roster_service.parse_roster(text))
            except roster_service.RosterError as error:
                db.session.rollback()
                errors = error.errors
            else:
                db.session.commit()
                return render_template("classes/cards.html", classroom=classroom, cards=cards)
    return render_template(
        "classes/roster_errors.html", classroom=classroom, form=form, errors=errors
    ), 422


def _confirmed_student(classroom_id: int, membership_id: int) -> tuple[Classroom, Membership]:
    """The teacher's class and one of its students, for a confirmed POST; else 404 or 400."""
    classroom = own_classroom(classroom_id)
    membership = accounts.managed_student(classroom, membership_id)
    if membership is None:
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    return classroom, membership


@bp.route("/classes/<int:classroom_id>/members/<int:membership_id>/password", methods=["POST"])
@access.roles(Role.teacher)
def reset_password(classroom_id: int, membership_id: int) -> str:
    classroom, membership = _confirmed_student(classroom_id, membership_id)
    card = accounts.reset_card(membership)
    db.session.commit()
    return render_template("classes/cards.html", classroom=classroom, cards=[card])


@bp.route("/classes/<int:classroom_id>/members/<int:membership_id>/username", methods=["POST"])
@access.roles(Role.teacher)
def reset_username(classroom_id: int, membership_id: int) -> HTTPResponse:
    """A new username made from the student's name (one they forgot, or one not for school)."""
    classroom, membership = _confirmed_student(classroom_id, membership_id)
    username = accounts.reset_username(membership)
    db.session.commit()
    flash(
        _(
            "%(name)s now logs in as %(username)s (the password is unchanged).",
            name=membership.display_name,
            username=username,
        ),
        "success",
    )
    return redirect(url_for("classes.detail", classroom_id=classroom.id) + "#students-heading")


@bp.route("/classes/<int:classroom_id>/members/<int:membership_id>/unlock", methods=["POST"])
@access.roles(Role.teacher)
def lift_login_lock(classroom_id: int, membership_id: int) -> HTTPResponse:
    """Let a student who mistyped their password too often try again at once."""
    classroom, membership = _confirmed_student(classroom_id, membership_id)
    throttle.lift_lock(membership.user.username)
    flash(_("%(name)s can log in again.", name=membership.display_name), "success")
    return redirect(url_for("classes.detail", classroom_id=classroom.id) + "#students-heading")


@bp.route("/classes/<int:classroom_id>/cards", methods=["POST"])
@access.roles(Role.teacher)
def new_cards(classroom_id: int) -> str | HTTPResponse:
    """New passwords for every student of the class, on a fresh sheet of login cards: the
    way back when the printed sheet is lost (passwords are never shown twice)."""
    classroom = own_classroom(classroom_id)
    _editable(classroom)
    if not NewCardsForm().validate():
        flash(_("Tick the box to confirm."), "error")
        return redirect(url_for("classes.detail", classroom_id=classroom.id) + "#students-heading")
    cards = accounts.new_cards(classroom)
    db.session.commit()
    return render_template("classes/cards.html", classroom=classroom, cards=cards)


@bp.route("/classes/<int:classroom_id>/assignments", methods=["POST"])
@access.roles(Role.teacher)
def assign(classroom_id: int) -> str | HTTPResponse | tuple[str, int]:
    classroom = own_classroom(classroom_id)
    _editable(classroom)
    form = AssignmentForm()
    if form.validate():
        question_set = assignment_service.assignable_set(int(form.set_id.data), current_user)
        if question_set is None:
            abort(400)
        try:
            assignment_service.create_assignment(
                classroom,
                question_set,
                assignment_service.local_to_utc(form.opens_at.data, classroom.timezone),
                assignment_service.local_to_utc(form.due_at.data, classroom.timezone),
                late_policy=form.late_policy.data,
                late_penalty=float(form.late_penalty.data)
                if form.late_penalty.data is not None
                else None,
                max_attempts=form.max_attempts.data,
                time_limit=form.time_limit.data * 60 if form.time_limit.data else None,
                feedback=form.feedback.data or None,
                name=form.name.data,
            )
        except ClassError as error:
            form.due_at.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Assigned."), "success")
            return redirect(url_for("classes.detail", classroom_id=classroom.id))
    return detail_page(classroom, form), 422


@bp.route("/classes/<int:classroom_id>/assignments/<int:assignment_id>")
@access.roles(Role.teacher)
def results(classroom_id: int, assignment_id: int) -> str:
    classroom = own_classroom(classroom_id)
    assignment = assignment_service.class_assignment(classroom, assignment_id)
    if assignment is None:
        abort(404)
    return render_template(
        "classes/results.html",
        classroom=classroom,
        assignment=assignment,
        rows=reports.assignment_results(assignment),
        questions=reports.question_stats(assignment),
    )


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/join/<code>", methods=["GET", "POST"])
@access.public
@limiter.limit(lambda: current_app.config["JOIN_RATE_LIMIT"], methods=["POST"])
def join(code: str | None = None) -> str | HTTPResponse | tuple[str, int]:
    """Join a class with its code: new students create their account here, without email."""
    if current_user.is_authenticated and not join_service.may_join(current_user):
        flash(_("Classes are joined with student accounts."), "info")
        return redirect(url_for("main.index"))
    form = JoinForm() if current_user.is_authenticated else JoinNewForm()
    if request.method == "GET" and code:
        form.code.data = classrooms.normalize_code(code)
    if form.validate_on_submit():
        try:
            if current_user.is_authenticated:
                classroom = classrooms.classroom_for_code(form.code.data)
                join_service.join(classroom, current_user, form.display_name.data)
                user = current_user
            else:
                user, membership = join_service.register_and_join(
                    form.code.data,
                    form.display_name.data,
                    form.password.data,
                    username=form.username.data,
                )
                classroom = membership.classroom
        except ClassError as error:
            db.session.rollback()
            target = form._fields.get(error.field or "", form.code)
            target.errors = [*target.errors, str(error)]
        else:
            db.session.commit()
            if not current_user.is_authenticated:
                login_user(user)
                flash(
                    _(
                        "Welcome to %(name)s! Your username is %(username)s: write it down to log "
                        "in next time.",
                        name=classroom.name,
                        username=user.username,
                    ),
                    "success",
                )
            else:
                flash(_("You joined %(name)s.", name=classroom.name), "success")
            return redirect(url_for("classes.assignments"))
    status = 422 if form.errors else 200
    return render_template("classes/join.html", form=form), status


@bp.route("/assignments")
@access.logged_in
def assignments() -> str:
    return render_template(
        "classes/assignments.html",
        rows=assignment_service.student_assignments(current_user),
        classrooms=classrooms.joined_classrooms(current_user),
        now=utcnow(),
    )


def member_assignment(assignment_id: int) -> Assignment:
    """An assignment of an active class the current user is in; 404 for anyone else."""
    assignment = assignment_service.member_assignment(current_user, assignment_id)
    if assignment is None:
        abort(404)
    return assignment


@bp.route("/assignments/<int:assignment_id>/start", methods=["GET"])
@access.logged_in
def start_page(assignment_id: int) -> str:
    """The assignment's start page: its rules and the student's attempts, before the clock."""
    assignment = member_assignment(assignment_id)
    return render_template(
        "quiz/start.html",
        facts=start_facts(current_user, assignment.question_set, assignment),
        action=url_for("classes.start", assignment_id=assignment.id),
        now=utcnow(),
    )


@bp.route("/assignments/<int:assignment_id>/start", methods=["POST"])
@access.logged_in
def start(assignment_id: int) -> HTTPResponse:
    assignment = member_assignment(assignment_id)
    try:
        attempt = quiz_attempts.start_attempt(
            current_user, assignment.question_set, assignment=assignment
        )
    except quiz_attempts.QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("classes.assignments"))
    db.session.commit()
    return redirect(url_for("quiz.question", attempt_id=attempt.id, number=1))

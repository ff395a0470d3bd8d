"""Teachers' own sets in the browser: upload, edit with the errors on their lines, preview as a
student, try it, share. Views speak HTTP; `services` changes state; each view commits once."""

from __future__ import annotations

import json
import random
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as HTTPResponse

from .. import access, qtypes
from ..bank import images
from ..bank.messages import localize
from ..enums import Role, SetStatus
from ..extensions import db
from ..i18n import translations
from ..input_guard import body_limit, long_fields
from ..models import Question, QuestionSet
from ..quiz import attempts as quiz_attempts
from ..quiz.forms import build_form
from ..security_headers import talisman
from . import services
from .forms import (
    ActionForm,
    DraftForm,
    EditForm,
    ImagesForm,
    NewSetForm,
    ShareForm,
    UploadForm,
)
from .uploads import MAX_UPLOAD_BYTES, UploadError, read_upload

bp = Blueprint("authoring", __name__)


def _set(set_id: int, *, edit: bool = False, manage: bool = False) -> QuestionSet:
    """A set the current teacher may read (or edit, or manage); 404 for any other."""
    question_set = db.session.get(QuestionSet, set_id)
    if question_set is None:
        abort(404)
    rights = services.rights(current_user, question_set)
    if not rights.read or (edit and not rights.edit) or (manage and not rights.manage):
        abort(404)
    return question_set


def _localized(diagnostics: list[Any]) -> list[Any]:
    locale = get_locale()
    language = locale.language if locale else "en"
    catalogue = translations(language)
    return [localize(d, catalogue, language) for d in diagnostics]


@bp.route("/teacher/sets")
@access.roles(Role.teacher)
def index() -> str:
    """The teacher's own sets and those shared with them; upload or start a new one."""
    return render_template(
        "authoring/index.html",
        sets=services.teacher_sets(current_user),
        upload_form=UploadForm(),
        new_form=NewSetForm(),
    )


@bp.route("/teacher/sets/upload", methods=["POST"])
@access.roles(Role.teacher)
@body_limit(MAX_UPLOAD_BYTES)
def upload() -> str | HTTPResponse | tuple[str, int]:
    form = UploadForm()
    diagnostics: list[Any] = []
    message = None
    if form.validate():
        file = form.file.data
        try:
            uploaded = read_upload(file.filename or "", file.read())
            question_set = services.create_set(
                current_user, uploaded.yaml, uploaded.display, uploaded.images
            )
        except UploadError as error:
            db.session.rollback()
            message = error.message
        except services.AuthoringError as error:
            db.session.rollback()
            message = error.message
            diagnostics = _localized(error.report.diagnostics) if error.report else []
        else:
            db.session.commit()
            flash(_("The set “%(title)s” was created.", title=question_set.title), "success")
            return redirect(url_for("authoring.edit", set_id=question_set.id))
    else:
        message = _("Choose a file.")
    return render_template(
        "authoring/index.html",
        sets=services.teacher_sets(current_user),
        upload_form=form,
        new_form=NewSetForm(),
        upload_error=message,
        upload_diagnostics=diagnostics,
    ), 400


@bp.route("/teacher/sets/from-draft", methods=["POST"])
@access.roles(Role.teacher)
@long_fields("text")
def from_draft() -> str | HTTPResponse | tuple[str, int]:
    """A set of the teacher's from a draft the import page converted (GIFT, Moodle XML)."""
    form = DraftForm()
    if not form.validate():
        abort(400)
    try:
        question_set = services.create_set(
            current_user, form.text.data.replace("\r\n", "\n").encode(), "imported.yaml"
        )
    except services.AuthoringError as error:
        db.session.rollback()
        diagnostics = _localized(error.report.diagnostics) if error.report else []
        return render_template(
            "authoring/index.html",
            sets=services.teacher_sets(current_user),
            upload_form=UploadForm(),
            new_form=NewSetForm(),
            upload_error=error.message,
            upload_diagnostics=diagnostics,
        ), 422
    db.session.commit()
    flash(_("The set “%(title)s” was created.", title=question_set.title), "success")
    return redirect(url_for("authoring.edit", set_id=question_set.id))


@bp.route("/teacher/sets/new", methods=["POST"])
@access.roles(Role.teacher)
def new() -> HTTPResponse:
    form = NewSetForm()
    if not form.validate():
        abort(400)
    question_set = services.new_from_template(current_user, form.language.data)
    db.session.commit()
    return redirect(url_for("authoring.edit", set_id=question_set.id))


@bp.route("/teacher/sets/<int:set_id>/edit", methods=["GET", "POST"])
@access.roles(Role.teacher)
@long_fields("text")
def edit(set_id: int) -> str | HTTPResponse | tuple[str, int]:
    """The set's YAML in an editor; saving validates it as the CLI does."""
    question_set = _set(set_id, edit=True)
    source = question_set.source_text
    if source is None:
        abort(404)  # a library set: edited in its file
    form = EditForm()
    status = 200
    if request.method == "POST":
        if not form.validate():
            abort(400)
        report = services.save(question_set, form.text.data.replace("\r\n", "\n"), current_user)
        db.session.commit()
        if report.model is not None:
            flash(_("Saved: the set is live in this version."), "success")
            return redirect(url_for("authoring.edit", set_id=question_set.id))
        status = 422
    text = source.draft if source.draft is not None else source.text
    diagnostics = _localized(services.draft_diagnostics(source)) if source.draft else []
    form.text.data = text
    return render_template(
        "authoring/edit.html",
        question_set=question_set,
        source=source,
        form=form,
        lines=text.split("\n"),
        diagnostics=diagnostics,
        diagnostics_data=[d.as_dict() for d in diagnostics],
        error_lines={d.line for d in diagnostics if d.severity == "error"},
        action_form=ActionForm(),
        images_form=ImagesForm(),
        images=sorted(images.hashes_of(question_set.id).values(), key=lambda i: i.name),
        rights=services.rights(current_user, question_set),
    ), status


@bp.route("/teacher/sets/<int:set_id>/images", methods=["POST"])
@access.roles(Role.teacher)
@body_limit(MAX_UPLOAD_BYTES)
def add_images(set_id: int) -> HTTPResponse:
    """Images for the set's YAML to name (`image: {file: ..., alt: ...}`)."""
    question_set = _set(set_id, edit=True)
    form = ImagesForm()
    if not form.validate():
        abort(400)
    files = [(f.filename or "", f.read()) for f in form.files.data or [] if f and f.filename]
    if not files:
        flash(_("Choose one or more images."), "error")
        return redirect(url_for("authoring.edit", set_id=question_set.id))
    try:
        names = services.add_images(question_set, files)
    except services.AuthoringError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Images added: %(names)s.", names=", ".join(names)), "success")
    return redirect(url_for("authoring.edit", set_id=question_set.id) + "#images")


@bp.route("/teacher/sets/<int:set_id>/draft/discard", methods=["POST"])
@access.roles(Role.teacher)
def discard(set_id: int) -> HTTPResponse:
    question_set = _set(set_id, edit=True)
    if not ActionForm().validate():
        abort(400)
    services.discard_draft(question_set)
    db.session.commit()
    return redirect(url_for("authoring.edit", set_id=question_set.id))


@bp.route("/teacher/sets/<int:set_id>/set.yaml")
@access.roles(Role.teacher)
def download(set_id: int) -> Response:
    """The set's YAML (its draft with `?draft=1`), as a file."""
    question_set = _set(set_id)
    source = question_set.source_text
    if source is None:
        abort(404)
    text = source.draft if request.args.get("draft") and source.draft is not None else source.text
    name = question_set.slug.split(services.SLUG_SEPARATOR)[0]
    return Response(
        text,
        mimetype="application/yaml",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.yaml"',
            "Cache-Control": "private, no-store",
        },
    )


def _preview_items(question_set: QuestionSet) -> list[dict[str, Any]]:
    questions = db.session.scalars(
        select(Question)
        .where(Question.set_id == question_set.id, Question.is_current.is_(True))
        .order_by(Question.position)
    ).all()
    items = []
    for question in questions:
        kind = qtypes.get(question.type)
        # Shown in the order the teacher wrote, with the key as the chosen answer.
        layout = quiz_attempts.layout_for(question, random.Random(0), False)
        response = SimpleNamespace(
            question=question, layout=layout, answer=kind.correct_answer(question.spec)
        )
        items.append({"question": question, "form": build_form(response)})  # type: ignore[arg-type]
    return items


@bp.route("/teacher/sets/<int:set_id>/preview")
@access.roles(Role.teacher)
def preview(set_id: int) -> str:
    """Each question as students see it, with its key, explanation, quote and context note."""
    question_set = _set(set_id)
    return render_template(
        "authoring/preview.html",
        question_set=question_set,
        items=_preview_items(question_set),
        action_form=ActionForm(),
        rights=services.rights(current_user, question_set),
    )


@bp.route("/teacher/sets/<int:set_id>/try", methods=["POST"])
@access.roles(Role.teacher)
def try_it(set_id: int) -> HTTPResponse:
    """A throwaway attempt (`Attempt.trial`): never a grade, in no statistic."""
    question_set = _set(set_id)
    if not ActionForm().validate() or question_set.status != SetStatus.active:
        abort(400)
    try:
        attempt = quiz_attempts.start_attempt(current_user, question_set, trial=True)
    except quiz_attempts.QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("authoring.preview", set_id=question_set.id))
    db.session.commit()
    return redirect(url_for("quiz.question", attempt_id=attempt.id, number=1))


@bp.route("/teacher/sets/<int:set_id>/shares", methods=["GET", "POST"])
@access.roles(Role.teacher)
def shares(set_id: int) -> str | HTTPResponse | tuple[str, int]:
    """Who else may read or edit the set (its owner decides)."""
    question_set = _set(set_id, manage=True)
    form = ShareForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                services.share(question_set, form.username.data, form.can_edit.data)
            except services.AuthoringError as error:
                db.session.rollback()
                form.username.errors = [error.message]
                status = 400
            else:
                db.session.commit()
                flash(_("Shared."), "success")
                return redirect(url_for("authoring.shares", set_id=question_set.id))
        else:
            status = 400
    return render_template(
        "authoring/shares.html",
        question_set=question_set,
        form=form,
        shares=services.shares_of(question_set),
        action_form=ActionForm(),
    ), status


@bp.route("/teacher/sets/<int:set_id>/shares/<int:share_id>/delete", methods=["POST"])
@access.roles(Role.teacher)
def unshare(set_id: int, share_id: int) -> HTTPResponse:
    question_set = _set(set_id, manage=True)
    if not ActionForm().validate():
        abort(400)
    if not services.unshare(question_set, share_id):
        abort(404)
    db.session.commit()
    return redirect(url_for("authoring.shares", set_id=question_set.id))


@bp.route("/teacher/sets/schema.json")
@access.roles(Role.teacher)
def schema() -> Response:
    """questions/schema.json, for the editor's completion (the file editors use too)."""
    from ..bank.schema import json_schema

    return Response(
        json.dumps(json_schema()),
        mimetype="application/schema+json",
        headers={"Cache-Control": "private, max-age=3600"},
    )


@bp.route("/images/<sha256>")
@access.logged_in
@talisman(
    content_security_policy={
        "default-src": "'none'",
        "script-src": "'none'",
        "style-src": "'self'",
    },
    content_security_policy_nonce_in=[],
)
def image(sha256: str) -> Response:
    """An image of a set, by its content hash: the same bytes forever, so cached for a year."""
    row = images.image_by_hash(sha256)
    if row is None:
        abort(404)
    return Response(
        row.data,
        mimetype=row.media_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )

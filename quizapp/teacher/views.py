from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from .. import access, interop, markup
from ..authoring.forms import DraftForm
from ..authoring.services import rights
from ..bank.messages import localize, localize_line
from ..bank.reader import Diagnostic, read_file
from ..bank.sync import question_files
from ..config import shipped_dir
from ..enums import ExchangeFormat, Role
from ..extensions import db
from ..i18n import translations
from ..models import Question, QuestionSet

bp = Blueprint("teacher", __name__, url_prefix="/teacher")


@bp.route("/bank")
@access.roles(Role.teacher)
def bank() -> str:
    """The question sets as loaded, with the errors of files that could not be loaded."""
    # The library only: teachers' own sets are on their "My question sets" page.
    sets = db.session.scalars(
        select(QuestionSet)
        .where(QuestionSet.owner_id.is_(None))
        .order_by(QuestionSet.status, QuestionSet.path)
    ).all()
    counts = dict(
        db.session.execute(
            select(Question.set_id, func.count())
            .where(Question.is_current.is_(True))
            .group_by(Question.set_id)
        ).all()
    )
    # The messages in the page's language; `path:line:column: error:` stays as it is.
    locale = get_locale()
    language = locale.language if locale else "en"
    catalogue = translations(language)
    load_errors = {
        s.id: "\n".join(
            localize_line(line, catalogue, language) for line in s.load_error.splitlines()
        )
        for s in sets
        if s.load_error
    }
    unloaded = {
        path: [str(localize(d, catalogue, language)) for d in errors]
        for path, errors in unloaded_files(sets).items()
    }
    return render_template(
        "teacher/bank.html", sets=sets, counts=counts, unloaded=unloaded, load_errors=load_errors
    )


def unloaded_files(sets: Sequence[QuestionSet]) -> dict[str, list[Diagnostic]]:
    """Files of the folder that no set comes from (new files with errors), read afresh."""
    directory = Path(current_app.config["QUESTIONS_DIR"])
    known = {s.path for s in sets}
    found = {}
    for path in question_files(directory):
        relative = path.relative_to(directory).as_posix()
        if relative not in known:
            report = read_file(path, display=relative, lint=False)
            if report.errors:
                found[relative] = report.errors
    return found


GUIDES = {"en": "AUTHORING.md", "fr": "AUTHORING.fr.md"}


@bp.route("/guide")
@access.roles(Role.teacher)
def guide() -> str:
    """The guide to writing question sets, in the interface's language."""
    locale = get_locale()
    language = locale.language if locale and locale.language in GUIDES else "en"
    path = shipped_dir("docs") / GUIDES[language]
    if not path.is_file():  # an installation without its docs
        abort(404)
    html = str(markup.guide(path.read_text(encoding="utf-8")))
    # The two guides link to each other by file name; here each is the other language's page.
    for other, name in GUIDES.items():
        html = html.replace(f'href="{name}"', f'href="?lang={other}"')
    return render_template("teacher/guide.html", guide=Markup(html))


# --- questions in and out (quizapp/interop/) -----------------------------------------------


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


@bp.route("/sets/<int:set_id>/export/<fmt>")
@access.roles(Role.teacher)
def export_set(set_id: int, fmt: str) -> Response:
    """Download a set of the bank as GIFT, Moodle XML or a QTI 2.1 package (no side effects)."""
    from .exports import set_lines, set_model

    if fmt not in {f.value for f in ExchangeFormat}:
        abort(404)
    question_set = db.get_or_404(QuestionSet, set_id)
    if not rights(current_user, question_set).read:  # another teacher's unshared set
        abort(404)
    model = set_model(question_set)
    if model is None:
        abort(404)
    export = interop.export_set(model, fmt, question_set.path, set_lines(question_set))
    filename = f"{model.id}{export.suffix}"
    return Response(
        export.data,
        mimetype=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/import", methods=["GET", "POST"])
@access.roles(Role.teacher)
def import_questions() -> Response | str | tuple[str, int]:
    """Convert an uploaded GIFT or Moodle XML file into a YAML draft, shown with its warnings
    (or downloaded); nothing is stored."""
    from werkzeug.utils import secure_filename

    from .forms import ImportForm

    form = ImportForm()
    language = _language()
    catalogue = translations(language)
    if not form.is_submitted():
        return render_template("teacher/import.html", form=form)
    if not form.validate():
        return render_template("teacher/import.html", form=form), 400
    upload = form.file.data
    filename = secure_filename(upload.filename or "") or "upload"
    try:
        conversion = interop.convert(
            upload.read(), filename, form.format.data or None, form.language.data
        )
    except interop.ConversionError as error:
        return render_template(
            "teacher/import.html", form=form, error=error.localized(catalogue, language)
        ), 422
    if form.download.data:
        stem = filename.rsplit(".", 1)[0] or "questions"
        return Response(
            conversion.yaml_text,
            mimetype="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{stem}.yaml"'},
        )
    warnings = [note.localized(catalogue, language) for note in conversion.warnings]
    return render_template(
        "teacher/import.html",
        form=form,
        draft_form=DraftForm(formdata=None),
        conversion=conversion,
        warnings=warnings,
        filename=filename,
    )

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import func, select

from .. import access, markup
from ..bank.messages import localize, localize_line
from ..bank.reader import Diagnostic, read_file
from ..bank.sync import question_files
from ..config import shipped_dir
from ..enums import Role
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

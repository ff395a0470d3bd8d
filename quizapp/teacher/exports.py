"""A set of the bank as our file model, for the exports: its current questions, from the
database (a set whose file has errors keeps its last good version; a retired one its last)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from pydantic import ValidationError
from sqlalchemy import select

from ..authoring.services import SLUG_SEPARATOR
from ..bank.reader import question_lines
from ..bank.schema import QuestionSetFile
from ..extensions import db
from ..models import Question, QuestionSet


def set_model(question_set: QuestionSet) -> QuestionSetFile | None:
    """The set's current questions as a validated set; None if it has none."""
    specs = db.session.scalars(
        select(Question.spec)
        .where(Question.set_id == question_set.id, Question.is_current.is_(True))
        .order_by(Question.position)
    ).all()
    if not specs:
        return None
    settings = question_set.settings or {}
    try:
        return QuestionSetFile.model_validate(
            {
                # a teacher's set: its own id, without the owner's mark that keeps it unique
                "id": question_set.slug.split(SLUG_SEPARATOR)[0],
                "title": question_set.title,
                "language": question_set.language,
                "description": question_set.description,
                "settings": {"shuffle_choices": bool(settings.get("shuffle_choices", True))},
                "tags": list(question_set.tags or []),
                "topics": dict(question_set.topics or {}),
                "questions": list(specs),
            }
        )
    except ValidationError:
        return None


def set_lines(question_set: QuestionSet) -> dict[str, int]:
    """The line of each question in the set's file, for the exports' warnings."""
    path = Path(current_app.config["QUESTIONS_DIR"]) / question_set.path
    return question_lines(path) if path.is_file() else {}

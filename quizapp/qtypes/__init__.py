"""The question types: one module each, behind one protocol (`base.QuestionType`).

Every other part reads this registry: the schema builds its question union from it, the
database's check constraint lists its names, and grading, layout, forms, display, translation
and templates dispatch on a question's type through `get`. Its order is the schema's order.
"""

from __future__ import annotations

from typing import Any

from .base import (
    AnswerError,
    Grade,
    InvalidAnswer,
    QuestionType,
    Spec,
    choice_texts,
    normalize_text,
    parse_number,
)
from .match import Match
from .multiple import Multiple
from .numeric import Numeric
from .order import Order
from .single import Single
from .text import Text
from .true_false import TrueFalse

__all__ = [
    "QUESTION_TYPES",
    "REGISTRY",
    "AnswerError",
    "Grade",
    "InvalidAnswer",
    "QuestionType",
    "choice_texts",
    "get",
    "grade",
    "normalize_text",
    "parse_number",
    "translate_answer",
]

REGISTRY: dict[str, QuestionType] = {
    qtype.name: qtype
    for qtype in (Single(), Multiple(), TrueFalse(), Numeric(), Text(), Order(), Match())
}
QUESTION_TYPES: tuple[str, ...] = tuple(REGISTRY)


def get(name: str) -> QuestionType:
    return REGISTRY[name]


def grade(spec: Spec, answer: Any) -> Grade:
    """Grade one answer; a missing answer (None) scores 0."""
    if answer is None:
        return Grade(0.0)
    return REGISTRY[spec["type"]].grade(spec, answer)


def translate_answer(old: Spec, new: Spec, answer: Any) -> Any | None:
    """Return `answer` in `new`'s indexes, or None when it cannot be carried over."""
    if old["type"] != new["type"] or answer is None:
        return None
    try:
        return REGISTRY[new["type"]].translate(old, new, answer)
    except (ValueError, IndexError, TypeError):
        return None

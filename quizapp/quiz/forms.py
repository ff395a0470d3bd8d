"""A question page's form, built by the question's type from the question's frozen layout.

Field values are display positions (see qtypes/base.py), so a forged value fails WTForms'
choice validation and never reaches the database. `answer_from(form)` turns a valid form into
the answer that grading reads; None means the student left the question blank.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from .. import qtypes
from ..models import QuestionAttempt
from ..qtypes import AnswerError

__all__ = ["AnswerError", "QuestionForm", "answer_from", "build_form", "initial_data"]


class QuestionForm(FlaskForm):
    """A question page's form; `build_form` adds the `answer` field for the question's type."""


def build_form(response: QuestionAttempt, formdata: Any = None) -> QuestionForm:
    """The form for one question of an attempt, in the attempt's frozen order.

    Every value the browser sees is a display position, never an original index: original
    indexes follow the order the teacher wrote, which often starts with the right answer.
    """
    spec = response.question.spec
    qtype = qtypes.get(spec["type"])
    field = qtype.field(spec, response.layout, _l("Your answer"))
    form_class = type(f"{qtype.name.title()}QuestionForm", (QuestionForm,), {"answer": field})
    return form_class(formdata=formdata, data={"answer": initial_data(response)})


def initial_data(response: QuestionAttempt) -> Any:
    """The saved answer in form terms, so a reload shows what the server has."""
    if response.answer is None:
        return None
    spec = response.question.spec
    return qtypes.get(spec["type"]).form_data(spec, response.layout, response.answer)


def answer_from(form: QuestionForm, response: QuestionAttempt) -> Any:
    """The grading-shaped answer (original indexes) of a validated form; None if blank."""
    spec = response.question.spec
    return qtypes.get(spec["type"]).answer_from(spec, response.layout, form.answer.data)

"""A question page's form, built by the question's type from the question's frozen layout.

Field values are display positions (see qtypes/base.py), so a forged value fails WTForms'
choice validation and never reaches the database. `answer_from(form)` turns a valid form into
the answer that grading reads; None means the student left the question blank.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from .. import qtypes
from ..models import QuestionAttempt
from ..qtypes import AnswerError

__all__ = ["AnswerError", "QuestionForm", "answer_from", "build_form", "initial_data"]


class QuestionForm(FlaskForm):
    """A question page's form; `build_form` adds the `answer` field for the question's type.

    Its CSRF token is the app's (CSRFProtect checks every POST before the view, and the page
    writes `csrf_token()`): a token field of its own would be signed and checked a second time.
    """

    class Meta:
        csrf = False


def build_form(response: QuestionAttempt, formdata: Any = None) -> QuestionForm:
    """The form for one question of an attempt, in the attempt's frozen order.

    Every value the browser sees is a display position, never an original index: original
    indexes follow the order the teacher wrote, which often starts with the right answer.
    """
    return form_class(response)(formdata=formdata, data={"answer": initial_data(response)})


# Form classes by question content and layout. A class is only a description of the fields, the
# same for every student with that layout; building one per request (WTForms scans its
# attributes on first use) was a tenth of the question page. Cleared when full: a bound, never
# an eviction order to get right across threads.
_FORM_CLASSES: dict[tuple[str, str], type[QuestionForm]] = {}
_FORM_CLASSES_MAX = 4096


def form_class(response: QuestionAttempt) -> type[QuestionForm]:
    question = response.question
    # content_hash is the spec's (bank/sync.py); a question not stored (tests) has none.
    key = (question.content_hash, json.dumps(response.layout, separators=(",", ":")))
    cls = _FORM_CLASSES.get(key) if question.content_hash else None
    if cls is None:
        spec = question.spec
        qtype = qtypes.get(spec["type"])
        field = qtype.field(spec, response.layout, _l("Your answer"))
        cls = type(f"{qtype.name.title()}QuestionForm", (QuestionForm,), {"answer": field})
        if len(_FORM_CLASSES) >= _FORM_CLASSES_MAX:
            _FORM_CLASSES.clear()
        _FORM_CLASSES[key] = cls
    return cls


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

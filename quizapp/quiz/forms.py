"""One WTForms form per question type, built from the question's frozen layout.

Field values are original indexes (see grading.py), so a forged value fails WTForms' choice
validation and never reaches the database. `answer_from(form)` turns a valid form into the
answer that grading reads; None means the student left the question blank.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..grading import choice_texts, parse_number
from ..models import Response

MAX_TEXT = 500


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OptionalRadioField(RadioField):
    """A radio group that may be left blank; a value sent must still be one of the choices."""

    def pre_validate(self, form: Form) -> None:
        if self.data not in (None, "", "None"):
            super().pre_validate(form)


class QuestionForm(FlaskForm):
    """A question page's form; `build_form` adds the `answer` field for the question's type."""


def _number(form: Form, field: Field) -> None:
    if field.data and field.data.strip():
        try:
            parse_number(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a number, for example 2015 or 10.5.")) from None


def _display_order(response: Response, key: str, size: int) -> list[int]:
    """Original indexes in the order this attempt shows them (frozen in `Response.layout`)."""
    return list((response.layout or {}).get(key, range(size)))


def build_form(response: Response, formdata: Any = None) -> QuestionForm:
    """The form for one question of an attempt, in the attempt's frozen order.

    Every value the browser sees is a display position, never an original index: original
    indexes follow the order the teacher wrote, which often starts with the right answer.
    """
    spec = response.question.spec
    kind = spec["type"]
    label = _l("Your answer")
    fields: dict[str, Field] = {}
    if kind in {"single", "multiple"}:
        texts = choice_texts(spec)
        order = _display_order(response, "choices", len(texts))
        options = [SelectChoice(str(pos), texts[i]) for pos, i in enumerate(order)]
        field_class = OptionalRadioField if kind == "single" else CheckboxesField
        fields["answer"] = field_class(label, choices=options, validators=[Optional()])
    elif kind == "true_false":
        fields["answer"] = OptionalRadioField(
            label,
            choices=[SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))],
            validators=[Optional()],
        )
    elif kind == "numeric":
        fields["answer"] = StringField(
            label,
            validators=[Optional(), Length(max=40), _number],
            render_kw={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"},
        )
    elif kind == "text":
        fields["answer"] = StringField(
            label,
            validators=[Optional(), Length(max=MAX_TEXT)],
            render_kw={"autocomplete": "off", "maxlength": MAX_TEXT},
        )
    elif kind == "order":
        items = spec["items"]
        order = _display_order(response, "items", len(items))
        positions = [SelectChoice("", "—")] + [
            SelectChoice(str(p)) for p in range(1, len(items) + 1)
        ]
        sub = {
            f"item_{pos}": SelectField(items[i], choices=positions, validators=[Optional()])
            for pos, i in enumerate(order)
        }
        fields["answer"] = FormField(type("OrderForm", (Form,), sub), label=label, separator="-")
    elif kind == "match":
        pairs = spec["pairs"]
        rights = _display_order(response, "rights", len(pairs))
        options = [SelectChoice("", "—")] + [
            SelectChoice(str(pos), pairs[i][1]) for pos, i in enumerate(rights)
        ]
        sub = {
            f"left_{i}": SelectField(pairs[i][0], choices=options, validators=[Optional()])
            for i in range(len(pairs))
        }
        fields["answer"] = FormField(type("MatchForm", (Form,), sub), label=label, separator="-")
    form_class = type(f"{kind.title()}QuestionForm", (QuestionForm,), fields)
    return form_class(formdata=formdata, data={"answer": initial_data(response)})


def initial_data(response: Response) -> Any:
    """The saved answer in form terms, so a reload shows what the server has."""
    answer = response.answer
    spec = response.question.spec
    kind = spec["type"]
    if answer is None:
        return None
    if kind in {"single", "multiple"}:
        order = _display_order(response, "choices", len(spec["choices"]))
        if kind == "single":
            return str(order.index(answer))
        return [str(order.index(i)) for i in answer]
    if kind == "true_false":
        return "true" if answer else "false"
    if kind in {"numeric", "text"}:
        return answer
    if kind == "order":
        order = _display_order(response, "items", len(spec["items"]))
        return {f"item_{order.index(item)}": str(rank + 1) for rank, item in enumerate(answer)}
    if kind == "match":
        rights = _display_order(response, "rights", len(spec["pairs"]))
        return {
            f"left_{i}": "" if chosen is None else str(rights.index(chosen))
            for i, chosen in enumerate(answer)
        }
    return None


class AnswerError(ValueError):
    pass


def answer_from(form: QuestionForm, response: Response) -> Any:
    """The grading-shaped answer (original indexes) of a validated form; None if blank."""
    data = form.answer.data
    spec = response.question.spec
    kind = spec["type"]
    if kind in {"single", "multiple"}:
        order = _display_order(response, "choices", len(spec["choices"]))
        if kind == "single":
            return order[int(data)] if data not in (None, "", "None") else None
        return sorted(order[int(v)] for v in data) if data else None
    if kind == "true_false":
        return {"true": True, "false": False}.get(data or "")
    if kind in {"numeric", "text"}:
        text = (data or "").strip()
        return text or None
    if kind == "order":
        order = _display_order(response, "items", len(spec["items"]))
        ranks = {order[int(k.removeprefix("item_"))]: v for k, v in data.items()}
        if not any(ranks.values()):
            return None
        if "" in ranks.values() or len(set(ranks.values())) != len(ranks):
            raise AnswerError(_l("Give each item a different position."))
        return [item for item, _ in sorted(ranks.items(), key=lambda kv: int(kv[1]))]
    if kind == "match":
        rights = _display_order(response, "rights", len(spec["pairs"]))
        chosen = {int(k.removeprefix("left_")): v for k, v in data.items()}
        if not any(chosen.values()):
            return None
        return [rights[int(chosen[i])] if chosen.get(i) else None for i in range(len(chosen))]
    return None

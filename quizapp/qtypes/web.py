"""What the form and display methods of the question types share: WTForms and Flask-Babel.

Only those methods import this module, so grading, layout, schema and translation load
without Flask.
"""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from .base import parse_number

__all__ = [
    "Form",
    "FormField",
    "Length",
    "Optional",
    "SelectChoice",
    "SelectField",
    "StringField",
    "_",
    "_l",
]

LABEL_BLANK = "—"  # the empty option of a select


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]  # WTForms is untyped
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OptionalRadioField(RadioField):  # type: ignore[misc]
    """A radio group that may be left blank; a value sent must still be one of the choices."""

    def pre_validate(self, form: Form) -> None:
        if self.data not in (None, "", "None"):
            super().pre_validate(form)


def number(form: Form, field: Field) -> None:
    """A validator: what was typed reads as a number."""
    if field.data and field.data.strip():
        try:
            parse_number(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a number, for example 2015 or 10.5.")) from None


def format_number(value: float) -> str:
    # No grouping: most numbers here are years (2015, not 2 015); the decimal mark is the reader's.
    return str(format_decimal(float(value), format="0.##########"))

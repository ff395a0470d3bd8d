"""Live mode's forms; the answer form is built by the question's type, as in a quiz."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .. import qtypes
from ..enums import LeaderboardNames
from . import nicknames
from .layout import Asked


class NewSessionForm(FlaskForm):
    set_id = SelectField(_l("Question set"), coerce=int, validators=[DataRequired()])
    classroom_id = SelectField(
        _l("Class (its scores go into the gradebook)"), coerce=int, validators=[Optional()]
    )
    names = RadioField(
        _l("Names on the leaderboard"),
        choices=[
            SelectChoice(LeaderboardNames.shown.value, _l("Show names")),
            SelectChoice(LeaderboardNames.hidden.value, _l("Hide names (ranks and points only)")),
        ],
        default=LeaderboardNames.shown.value,
    )
    streak_bonus = BooleanField(_l("Streak bonus"), default=True)


class JoinForm(FlaskForm):
    pin = StringField(
        _l("Game PIN"),
        validators=[DataRequired(), Length(max=12)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "class": "live-pin-input"},
    )
    nickname = StringField(
        _l("Nickname"),
        validators=[Optional(), Length(max=nicknames.MAX_LENGTH)],
        description=_l("Not needed when you play with your class account."),
    )


class ActionForm(FlaskForm):
    """A host's button (start, next, pause, resume, skip, end): the CSRF token only."""


class BlocklistForm(FlaskForm):
    words = StringField(
        _l("Words to block in nicknames"), validators=[DataRequired(), Length(max=500)]
    )


class AnswerForm(FlaskForm):
    """A player's answer; `answer_form` adds the type's `answer` field.

    Its CSRF token is the app's (CSRFProtect checks every POST before the view; the page
    writes `csrf_token()`, `live/_answering.html`): a token field of its own would sign a new
    token on every answer and check the posted one a second time."""

    position = HiddenField()

    class Meta:
        csrf = False


def answer_form_class(question: Asked, layout: Any) -> type[AnswerForm]:
    """The form class of a question in a layout (the same for every phone: the live answer
    keeps one per process and question, `views.answer`)."""
    qtype = qtypes.get(question.type)
    field = qtype.field(question.spec, layout, _l("Your answer"))
    return type(f"Live{qtype.name.title()}Form", (AnswerForm,), {"answer": field})


def answer_form(question: Asked, layout: Any, formdata: Any = None) -> AnswerForm:
    return answer_form_class(question, layout)(formdata=formdata)


def answer_from(form: AnswerForm, question: Asked, layout: Any) -> Any:
    return qtypes.get(question.type).answer_from(question.spec, layout, form.answer.data)

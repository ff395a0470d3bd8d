from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..auth.forms import USERNAME_CHARACTERS, confirm_field, new_password_field, stored_length
from ..auth.services import MAX_USERNAME
from ..enums import FeedbackMode, LatePolicy
from .classrooms import valid_timezone

COMMON_TIMEZONES = [
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/London",
    "America/Montreal",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Africa/Abidjan",
    "Africa/Dakar",
    "Indian/Reunion",
    "Pacific/Noumea",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
]


def _timezone(form: FlaskForm, field: StringField) -> None:
    if not valid_timezone(field.data or ""):
        raise ValidationError(_l("Choose a time zone from the list, such as Europe/Paris."))


class ClassroomForm(FlaskForm):
    name = StringField(
        _l("Class name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("For example: 2nde B, history of technology"),
    )
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(), Length(max=64), _timezone],
        default="Europe/Paris",
        description=_l("Due dates are shown in this time zone."),
        render_kw={"list": "timezones", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Create the class"))


class JoinForm(FlaskForm):
    """Joining with a code; new students also choose a password (no email needed)."""

    code = StringField(
        _l("Class code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("As your teacher knows you, e.g. Zoé M."),
        render_kw={"autocomplete": "name"},
    )
    submit = SubmitField(_l("Join the class"))


class JoinNewForm(JoinForm):
    username = StringField(
        _l("Choose a username (optional)"),
        validators=[
            Optional(),
            Length(min=3, max=MAX_USERNAME),
            stored_length,
            USERNAME_CHARACTERS,
        ],
        description=_l(
            "You log in with it: 3 to 64 letters, digits, dots, hyphens or underscores. "
            "Empty: one is made from your name."
        ),
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = new_password_field(_l("Choose a password"))
    confirm = confirm_field()


class RosterForm(FlaskForm):
    names = TextAreaField(
        _l("Names, one per line"),
        validators=[Optional(), Length(max=20_000)],
        description=_l("Or upload a CSV file whose first column (or 'name' column) holds them."),
        render_kw={"rows": 8},
    )
    file = FileField(
        _l("CSV file"),
        validators=[
            FileAllowed(["csv", "txt"], _l("A .csv or .txt file.")),
            FileSize(max_size=200_000),
        ],
    )
    submit = SubmitField(_l("Create the accounts"))


def _set_choices() -> list[SelectChoice]:
    from flask_login import current_user

    from ..authoring.services import readable_sets_query
    from ..extensions import db
    from ..models import QuestionSet

    # The library, the teacher's own sets and those shared with them; never another
    # teacher's unshared set (a forged id is not a valid choice).
    sets = db.session.scalars(readable_sets_query(current_user).order_by(QuestionSet.title))
    return [SelectChoice(str(s.id), f"{s.title} ({s.language})") for s in sets]


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN, sNaN and infinities (a signalling NaN cannot even be
    compared with the range's bounds)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        # wtforms gives mypy no type for `data` here.
        value: Decimal | None = self.data  # type: ignore[has-type]
        if value is not None and not value.is_finite():
            self.data = None
            raise ValueError(_l("Give a number, such as 10."))


class AssignmentForm(FlaskForm):
    set_id = SelectField(_l("Question set"), validators=[InputRequired()])
    name = StringField(
        _l("Name (optional)"),
        validators=[Optional(), Length(max=100)],
        description=_l(
            "To tell apart two assignments of one set, e.g. “Test 1”. Empty: the set’s title."
        ),
    )
    opens_at = DateTimeLocalField(
        _l("Opens"), validators=[InputRequired()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    due_at = DateTimeLocalField(
        _l("Due"), validators=[InputRequired()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
    )
    late_policy = SelectField(
        _l("Late work"),
        choices=[
            SelectChoice(LatePolicy.refuse.value, _l("refused after the due date")),
            SelectChoice(LatePolicy.accept.value, _l("accepted, marked late")),
            SelectChoice(LatePolicy.penalty.value, _l("accepted with a penalty")),
        ],
        default=LatePolicy.refuse.value,
    )
    late_penalty = FiniteDecimalField(
        _l("Penalty for late work (%)"),
        places=0,
        validators=[Optional(), NumberRange(min=0, max=100)],
    )
    max_attempts = IntegerField(
        _l("Attempts allowed"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Empty: as the question set says."),
    )
    time_limit = IntegerField(
        _l("Time limit (minutes)"),
        validators=[Optional(), NumberRange(min=1, max=600)],
        description=_l("Empty: as the question set says."),
    )
    feedback = SelectField(
        _l("Feedback"),
        choices=[
            SelectChoice("", _l("as the question set says")),
            SelectChoice(FeedbackMode.immediate.value, _l("after each question")),
            SelectChoice(FeedbackMode.after_submit.value, _l("after submitting")),
            SelectChoice(FeedbackMode.after_due.value, _l("after the due date")),
            SelectChoice(FeedbackMode.never.value, _l("never")),
        ],
        default="",
    )
    submit = SubmitField(_l("Assign"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.set_id.choices = _set_choices()

    def validate_due_at(self, field: DateTimeLocalField) -> None:
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The due date must come after the opening date."))

    def validate_late_penalty(self, field: DecimalField) -> None:
        if self.late_policy.data == LatePolicy.penalty and field.data is None:
            raise ValidationError(_l("Give the penalty for late work, in percent."))


class CodeForm(FlaskForm):
    valid_days = IntegerField(
        _l("Valid for (days)"),
        validators=[Optional(), NumberRange(min=1, max=365)],
        description=_l("Empty: until you renew it."),
    )
    submit = SubmitField(_l("New join code"))


class ConfirmForm(FlaskForm):
    """A POST with only its CSRF token (reset a password: it can be done again)."""


class NewCardsForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand: every student of the class gets a new password"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ArchiveForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand: the code stops working and nothing more can be assigned"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from ..enums import ScoreRule


class OverrideForm(FlaskForm):
    """A teacher's score for one answer; the view checks it against the question's points."""

    points = DecimalField(_l("Points"), places=None, validators=[InputRequired(), NumberRange(0)])
    comment = TextAreaField(_l("Comment for the student"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Set this score"))


class ScoreRuleForm(FlaskForm):
    rule = SelectField(
        _l("Score kept"),
        choices=[
            SelectChoice(ScoreRule.best.value, _l("Best attempt")),
            SelectChoice(ScoreRule.last.value, _l("Last attempt")),
            SelectChoice(ScoreRule.average.value, _l("Average of the attempts")),
        ],
    )
    submit = SubmitField(_l("Save"))

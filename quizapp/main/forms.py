from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from ..enums import Theme


class ThemeForm(FlaskForm):
    """The colour scheme switch in every page's footer: one submit button per scheme."""

    theme = SelectField(
        _l("Colours"),
        choices=[
            SelectChoice(Theme.auto, _l("Automatic")),
            SelectChoice(Theme.light, _l("Light")),
            SelectChoice(Theme.dark, _l("Dark")),
        ],
    )
    next = HiddenField()

"""The teacher's forms: importing a GIFT or Moodle XML file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from ..enums import ExchangeFormat

UPLOAD_LIMIT = 1024 * 1024  # as MAX_CONTENT_LENGTH: a larger request is refused with 413


class ImportForm(FlaskForm):
    file = FileField(
        _l("GIFT or Moodle XML file"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileSize(max_size=UPLOAD_LIMIT, message=_l("The file is larger than 1 MB.")),
        ],
    )
    format = SelectField(
        _l("Format"),
        choices=[
            SelectChoice("", _l("Guess from the content")),
            SelectChoice(ExchangeFormat.gift.value, "GIFT"),
            SelectChoice(ExchangeFormat.moodle_xml.value, "Moodle XML"),
        ],
        default="",
    )
    language = SelectField(
        _l("Language of the questions"),
        choices=[SelectChoice("en", _l("English")), SelectChoice("fr", _l("French"))],
        default="en",
    )
    preview = SubmitField(_l("Convert"))
    download = SubmitField(_l("Convert and download the YAML"))

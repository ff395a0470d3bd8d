from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


class UploadForm(FlaskForm):
    file = FileField(
        _l("A .yaml file, or a .zip of a .yaml file and its images"),
        validators=[FileRequired(_l("Choose a file."))],
    )
    submit = SubmitField(_l("Upload"))


class NewSetForm(FlaskForm):
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("en", "English"), SelectChoice("fr", "Français")],
        default="en",
    )
    submit = SubmitField(_l("New set from the template"))


class EditForm(FlaskForm):
    # As long as a set file may be: input_guard.long_fields exempts it from the field limit.
    text = TextAreaField(_l("The set, in YAML"), validators=[DataRequired()])
    submit = SubmitField(_l("Save"))


class DraftForm(FlaskForm):
    """A converted draft (GIFT or Moodle XML, from the import page) to make a set of."""

    text = TextAreaField(_l("The set, in YAML"), validators=[DataRequired()])
    submit = SubmitField(_l("Create a set from this draft"))


class ImagesForm(FlaskForm):
    files = MultipleFileField(_l("Images (PNG, JPEG, WebP or SVG)"))
    submit = SubmitField(_l("Add the images"))


class ShareForm(FlaskForm):
    username = StringField(_l("Colleague's username"), validators=[DataRequired(), Length(max=64)])
    can_edit = BooleanField(_l("May edit"))
    submit = SubmitField(_l("Share"))


class ActionForm(FlaskForm):
    """A button's form: the CSRF token only."""

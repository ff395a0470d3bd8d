from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ..auth.forms import confirm_field, new_password_field


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    password = new_password_field(_l("New password"))
    confirm = confirm_field(_l("Repeat the new password"))
    submit = SubmitField(_l("Change my password"))


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Language of the interface"),
        choices=[
            SelectChoice("", _l("as my browser says")),
            SelectChoice("en", "English"),
            SelectChoice("fr", "Français"),
        ],
    )
    submit = SubmitField(_l("Save"))


class DeleteForm(FlaskForm):
    password = PasswordField(
        _l("Your password, to confirm"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Delete my account and all my data"))

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, Form, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from .services import MAX_USERNAME, MIN_PASSWORD, normalize_username


def stored_length(form: Form, field: Field) -> None:
    """Check the username's length as stored: case folding lengthens some ('ß' is 'ss')."""
    if field.data and len(normalize_username(field.data)) > MAX_USERNAME:
        raise ValidationError(
            _l("At most %(n)d characters once in lower case (ß counts as ss).", n=MAX_USERNAME)
        )


def new_password_field(label: str) -> PasswordField:
    """A new password, as every form that sets one asks for it."""
    return PasswordField(
        label,
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=256)],
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD),
        render_kw={"autocomplete": "new-password"},
    )


def confirm_field(label: str | None = None) -> PasswordField:
    return PasswordField(
        label or _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=MAX_USERNAME), stored_length],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Remember me"))
    submit = SubmitField(_l("Log in"))


USERNAME_CHARACTERS = Regexp(
    r"^[\w.-]+$", message=_l("Use letters, digits, dots, hyphens or underscores.")
)


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=MAX_USERNAME),
            stored_length,
            USERNAME_CHARACTERS,
        ],
        description=_l(
            "3 to 64 letters, digits, dots, hyphens or underscores; you log in with it."
        ),
        render_kw={"autocomplete": "username"},
    )
    display_name = StringField(
        _l("Display name"),
        validators=[Length(max=80)],
        description=_l("Optional: the name your teacher sees."),
        render_kw={"autocomplete": "name"},
    )
    password = new_password_field(_l("Password"))
    confirm = confirm_field()
    submit = SubmitField(_l("Create my account"))

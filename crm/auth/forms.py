"""Forms for signing in and personal preferences."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from crm.labels import choices


def password_policy(_form: FlaskForm, field: PasswordField) -> None:
    """Require a long password mixing letters and digits."""
    value = field.data or ""
    if len(value) < current_app.config["PASSWORD_MIN_LENGTH"]:
        raise ValidationError(
            _l("Use at least %(n)s characters.", n=current_app.config["PASSWORD_MIN_LENGTH"])
        )
    letters = any(ch.isalpha() for ch in value)
    others = any(ch.isdigit() or not (ch.isalnum() or ch.isspace()) for ch in value)  # digits, symbols
    if not (letters and others):
        raise ValidationError(_l("Mix letters with digits or symbols."))


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


class PreferencesForm(FlaskForm):
    """Language and, optionally, a new password."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=choices("locale"))
    current_password = PasswordField(_l("Current password"), validators=[Optional()])
    new_password = PasswordField(
        _l("New password"), validators=[Optional(strip_whitespace=False), Length(max=200), password_policy]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[EqualTo("new_password", message=_l("The passwords do not match."))],
    )
    # E-mails the user receives (crm/mail): one checkbox per kind their role gets; unchecked = opted out.
    mail_kinds = SelectMultipleField(
        _l("E-mails I receive"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    mail_shown = HiddenField(default="")  # "1" when the checkboxes were shown: only then do they count


class CodeForm(FlaskForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])


class TurnOffForm(FlaskForm):
    """The password, to turn the second factor off."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])

"""Forms of the user administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.labels import choices
from crm.permissions import DEFAULT_ROLE


class UserFilterForm(FlaskForm):
    """Search and role filter of the user list (GET, no CSRF needed)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=choices("role", blank=_l("All roles")), validators=[Optional()])


class UserDetailsForm(FlaskForm):
    """Fields shared by creating and editing an account."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=choices("role"), default=DEFAULT_ROLE)
    locale = SelectField(_l("Language"), choices=choices("locale"))


class PasswordFields(FlaskForm):
    """A new password typed twice; the policy is checked by the service."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class UserCreateForm(UserDetailsForm, PasswordFields):
    """A new account with its initial password."""


class UserEditForm(UserDetailsForm):
    """An existing account's details and whether it may sign in."""

    active = BooleanField(_l("Active (may sign in)"))


class PasswordResetForm(PasswordFields):
    """A new password set by an administrator."""


class AssociationsForm(FlaskForm):
    """The business associations a liaison works for."""

    associations = SelectMultipleField(
        _l("Associations"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class ConfirmForm(FlaskForm):
    """An empty form: a button with the CSRF token."""

"""Forms of mail capture: a mailbox, and the review queue's actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional


class MailboxForm(FlaskForm):
    """An IMAP mailbox the CRM reads."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(
        _l("Kind"),
        choices=[("shared", _l("Shared mailbox of the PMU")), ("personal", _l("Personal mailbox"))],
    )
    address = StringField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    owner_id = SelectField(_l("Logged as"), coerce=int)
    host = StringField(_l("IMAP server"), validators=[DataRequired(), Length(max=200)])
    port = IntegerField(_l("Port"), default=993, validators=[DataRequired(), NumberRange(1, 65535)])
    use_tls = BooleanField(_l("TLS (IMAPS)"), default=True)
    folder = StringField(_l("Folder"), default="INBOX", validators=[DataRequired(), Length(max=200)])
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=500)])
    active = BooleanField(_l("Read this mailbox"), default=True)

    def values(self) -> dict:
        """Return the mailbox's settings (the password apart)."""
        names = (
            "name",
            "kind",
            "address",
            "owner_id",
            "host",
            "port",
            "use_tls",
            "folder",
            "username",
            "active",
        )
        return {name: getattr(self, name).data for name in names}


class ReviewForm(FlaskForm):
    """Assign a waiting e-mail to an organisation, optionally creating the sender as a contact."""

    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=250)])
    first_name = StringField(_l("First name"), validators=[Optional(), Length(max=80)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=80)])

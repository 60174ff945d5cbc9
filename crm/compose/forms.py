"""The compose form: template, language, recipients, subject and body."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from crm.compose.catalog import LANGUAGES, TEMPLATES
from crm.compose.services import Draft


class ComposeForm(FlaskForm):
    """An e-mail to some of an organisation's contacts."""

    template = SelectField(_l("Template"), choices=[(t.key, t.label) for t in TEMPLATES])
    language = SelectField(_l("Language of the e-mail"), choices=list(LANGUAGES), default="es")
    contacts = SelectMultipleField(_l("Recipients"), coerce=int, validate_choice=False)
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=250)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=20000)])
    batch = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{16}$")])

    def draft(self) -> Draft:
        """Return what the user wrote."""
        return Draft(self.subject.data or "", self.body.data or "", self.language.data, self.batch.data)


class WithdrawForm(FlaskForm):
    """The confirmation button of the withdrawal page."""

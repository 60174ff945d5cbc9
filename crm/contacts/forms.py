"""Forms for contacts: the edit form and the list filters."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp
from wtforms.widgets import HiddenInput

from crm.contacts.services import ContactSearch, ContactValues
from crm.labels import choices, options
from crm.models import User
from crm.organisations.pick_field import OrganisationField
from crm.web import to_id

PHONE = r"^[0-9 +\-()]*$"


def consultant_flag(value: str | None) -> bool | None:
    """Read the consultant filter: yes, no or anything else for both."""
    return {"yes": True, "no": False}.get(value or "")


class ContactForm(FlaskForm):
    """A person at an organisation."""

    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=80)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=80)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=120)])
    organisation_id = OrganisationField(_l("Organisation"), optional=True)
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))],
    )
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(PHONE, message=_l("Use only digits, spaces, +, - and parentheses.")),
        ],
    )
    gender = SelectField(_l("Gender"), choices=choices("gender"), default="not_recorded")
    email_consent = BooleanField(_l("Accepts e-mail"))
    consent_source = SelectField(_l("How they agreed"), choices=[], validate_choice=False)
    consent_scope = SelectField(_l("To what"), choices=[], validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sources = [c for c in choices("consent_source", blank="—") if c.value != "withdrawn"]
        self.consent_source.choices = sources
        self.consent_scope.choices = choices("consent_scope")
        if self.consent_source.data not in {c.value for c in sources}:  # "withdrawn" is recorded only
            self.consent_source.data = ""

    def values(self) -> ContactValues:
        """Return the submitted values for the service."""
        return ContactValues(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            position=self.position.data,
            organisation_id=self.organisation_id.chosen_id(),
            email=self.email.data,
            phone=self.phone.data,
            gender=self.gender.data,
            email_consent=bool(self.email_consent.data),
            consent_source=self.consent_source.data or None,
            consent_scope=self.consent_scope.data or None,
        )


class ContactEditForm(ContactForm):
    """The contact form plus the version the user loaded, for optimistic locking."""

    version = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(message=_l("The form lost its version. Reload the page."))],
    )


class ContactFilterForm(FlaskForm):
    """The search box and filters of the contact list (read from the query string)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    gender = SelectField(_l("Gender"), choices=choices("gender", blank=_l("Any gender")))
    consultant = SelectField(
        _l("Qualified consultant"),
        choices=options([("", _l("Any")), ("yes", _l("Yes")), ("no", _l("No"))]),
    )
    organisation = OrganisationField(_l("Organisation"), optional=True)

    def prepare(self, user: User) -> None:
        """Resolve the organisation filter in the user's scope (odd values ignored, others refused)."""
        field = self.organisation
        if to_id(field.data) is None:  # like the other filters, nonsense is no filter
            field.data = None
        field.prepare(user)
        if field.refusal:
            field.errors = [field.refusal]

    def organisation_id(self) -> int | None:
        """Return the id the list is filtered by: the chosen one, or a refused one (it matches nothing)."""
        return self.organisation.chosen_id() or to_id(self.organisation.data)

    def search(self, sort: str) -> ContactSearch:
        """Return the search the user asked for; odd values are ignored by the service."""
        return ContactSearch(
            q=(self.q.data or "")[:100],
            gender=self.gender.data or None,
            consultant=consultant_flag(self.consultant.data),
            organisation_id=self.organisation_id(),
            sort=sort,
        )

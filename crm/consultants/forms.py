"""Forms of the consultants registry: an entry, its status, an assignment, and the list's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.consultants.services import ConsultantValues, Filters
from crm.labels import choices, options
from crm.web import to_id

DATE_MESSAGE = _l("Enter the date (YYYY-MM-DD).")


class ConsultantForm(FlaskForm):
    """A registry entry: who, in what, where, since when and on what evidence."""

    contact_id = SelectField(_l("Contact"), coerce=to_id, choices=[], validate_choice=False)
    specialisms = SelectMultipleField(
        _l("Specialisms"),
        choices=choices("specialism"),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    region = SelectField(_l("Region"), choices=[], validate_choice=False)
    qualified_on = DateField(_l("Qualification date"), validators=[Optional()])
    evidence = FileField(_l("Qualification evidence (PDF, PNG or JPEG)"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10_000)])

    def set_choices(self, contacts: list, regions: list[str]) -> None:
        """Offer the contacts not yet registered and Peru's regions."""
        self.contact_id.choices = options([("", "—")] + [(c.id, contact_label(c)) for c in contacts])
        self.region.choices = options([("", "—")] + [(name, name) for name in regions])

    def values(self) -> ConsultantValues:
        """Return the submitted entry for the service."""
        return ConsultantValues(
            specialisms=list(self.specialisms.data or []),
            region=self.region.data or None,
            qualified_on=self.qualified_on.data,
            notes=self.notes.data or None,
            evidence=self.evidence.data,
        )


def contact_label(contact) -> str:
    """Return a contact's name with their organisation, for a select."""
    org = contact.organisation.legal_name if contact.organisation else _l("Independent")
    return f"{contact.last_name}, {contact.first_name} ({org})"


class StatusForm(FlaskForm):
    """A new status and the day it was reached."""

    status = SelectField(_l("New status"), choices=[], validate_choice=False)
    on = DateField(_l("Reached on"), validators=[Optional()])


class AssignmentForm(FlaskForm):
    """A consultant advising a company in one of its programmes."""

    consultant_id = SelectField(_l("Consultant"), coerce=to_id, choices=[], validate_choice=False)
    engagement_id = SelectField(_l("Company and programme"), coerce=to_id, choices=[], validate_choice=False)
    role = StringField(_l("Role"), validators=[InputRequired(_l("Enter the role.")), Length(max=120)])
    started_on = DateField(_l("From"), validators=[InputRequired(DATE_MESSAGE)])
    ended_on = DateField(_l("Until"), validators=[Optional()])


class FilterForm(FlaskForm):
    """The registry list's filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    specialism = SelectField(_l("Specialism"), choices=choices("specialism", blank=_l("All")))
    region = SelectField(_l("Region"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=choices("consultant_status", blank=_l("All")))

    def filters(self, sort: str) -> Filters:
        """Return the filters asked for (odd values are ignored)."""
        return Filters(
            specialism=self.specialism.data or "",
            region=self.region.data or "",
            status=self.status.data or "",
            sort=sort if sort in ("name", "-name") else "name",
        )

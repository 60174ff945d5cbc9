"""Forms of the events feature: the event, the list filters, picking and quick-adding attendees."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from crm.events.attendance import NewPerson
from crm.events.services import EventValues
from crm.labels import choices, options
from crm.models import Programme, TrainingModule
from crm.organisations.pick_field import OrganisationField

TEXT_MAX = 10_000


def optional_int(value: object) -> int | None:
    """Coerce a select value to int, with the blank choice (or anything odd) meaning None."""
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None


def programme_options(programmes: list[Programme], locale: str, blank: str) -> list:
    """Return select options for the programmes, with a blank first."""
    return options([("", blank), *[(p.id, p.name(locale)) for p in programmes]])


class EventForm(FlaskForm):
    """An event or training."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    type = SelectField(_l("Type"), choices=choices("event_type"), default="awareness", validate_choice=False)
    held_on = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date (YYYY-MM-DD)."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    online = BooleanField(_l("Online"))
    programme_id = SelectField(_l("Programme"), coerce=optional_int, choices=[], validate_choice=False)
    gender_specific = BooleanField(_l("Gender-specific (for women)"))
    training_module_id = SelectField(
        _l("Training module"), coerce=optional_int, choices=[], validate_choice=False
    )
    training_module = StringField(_l("Module details"), validators=[Optional(), Length(max=200)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=TEXT_MAX)])

    def set_programmes(self, programmes: list[Programme], locale: str) -> None:
        """Offer the programmes, plus 'none'."""
        self.programme_id.choices = programme_options(programmes, locale, str(_l("— None —")))

    def set_modules(self, modules: list[TrainingModule], locale: str) -> None:
        """Offer the training modules, plus 'none'."""
        pairs = [(m.id, f"{m.code} – {m.name(locale)}") for m in modules]
        self.training_module_id.choices = options([("", str(_l("— None —"))), *pairs])

    def values(self) -> EventValues:
        """Return the submitted event for the service."""
        return EventValues(
            title=self.title.data or "",
            type=self.type.data,
            held_on=self.held_on.data,
            place=self.place.data,
            online=bool(self.online.data),
            programme_id=self.programme_id.data,
            gender_specific=bool(self.gender_specific.data),
            training_module_id=self.training_module_id.data,
            training_module=self.training_module.data,
            notes=self.notes.data,
        )


class EventFilterForm(FlaskForm):
    """The filters of the event list (read from the query string)."""

    class Meta:
        csrf = False

    type = SelectField(_l("Type"), choices=choices("event_type", blank=_l("Any type")), validate_choice=False)
    programme = SelectField(_l("Programme"), coerce=optional_int, choices=[], validate_choice=False)
    year = SelectField(_l("Year"), coerce=optional_int, choices=[], validate_choice=False)

    def set_choices(self, programmes: list[Programme], years: list[int], locale: str) -> None:
        """Offer the programmes and the years that have events."""
        self.programme.choices = programme_options(programmes, locale, str(_l("Any programme")))
        self.year.choices = options([("", _l("Any year")), *[(y, str(y)) for y in years]])


class AttendeeSearchForm(FlaskForm):
    """The search box for picking attendees among the contacts."""

    class Meta:
        csrf = False

    q = StringField(_l("Find a person"), validators=[Optional(), Length(max=100)])


class AddAttendeeForm(FlaskForm):
    """Put a contact found by the search on the list."""

    contact_id = StringField(validators=[Optional(), Length(max=12)])

    def chosen(self) -> int | None:
        """Return the chosen contact id, or None."""
        return optional_int(self.contact_id.data)


class QuickAddForm(FlaskForm):
    """A person not yet in the CRM, added to the list and the contacts at once."""

    first_name = StringField(_l("First name"), validators=[Length(max=80)])
    last_name = StringField(_l("Last name"), validators=[Length(max=80)])
    organisation_id = OrganisationField(_l("Organisation"), optional=True)
    gender = SelectField(
        _l("Gender"), choices=choices("gender", blank=_l("— Choose —")), validate_choice=False
    )
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))],
    )

    def person(self) -> NewPerson:
        """Return the submitted person for the service."""
        return NewPerson(
            first_name=(self.first_name.data or "").strip(),
            last_name=(self.last_name.data or "").strip(),
            organisation_id=self.organisation_id.chosen_id(),
            gender=self.gender.data or None,
            email=(self.email.data or "").strip() or None,
        )

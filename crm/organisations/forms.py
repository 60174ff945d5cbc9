"""Forms for organisations, their emission profile and association memberships."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from crm.interactions.services import staff_choices
from crm.labels import choices
from crm.models import Membership, Organisation
from crm.organisations import bulk, listing, services
from crm.ruc import clean_ruc, ruc_error
from crm.templating import fmt_date
from crm.web import to_id

MAX_14_2 = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_16_2 = Decimal("99999999999999.99")  # Numeric(16, 2)


def int_or_none(value: Any) -> int | None:
    """Coerce a select's value to an id; blank means none."""
    return None if value in (None, "", "None") else int(value)


def strip(value: Any) -> Any:
    """Trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


def with_scheme(value: Any) -> Any:
    """Add https:// to an address typed without one (www.example.pe)."""
    if value and "://" not in value and value[0].isalnum():
        return "https://" + value
    return value


def valid_ruc(_form: FlaskForm, field: StringField) -> None:
    """Clean the RUC as typed and explain why it is invalid."""
    field.data = clean_ruc(field.data)
    if field.data and (problem := ruc_error(field.data)):
        raise ValidationError(services.ruc_message(problem))


def finite(_form: FlaskForm, field: DecimalField) -> None:
    """Refuse NaN and infinity, which Decimal accepts but no column can store."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_("Enter a number."))


def amount(text: Any, maximum: Decimal) -> DecimalField:
    """Return an optional, non-negative decimal field with two places."""
    return DecimalField(text, places=2, validators=[Optional(), finite, NumberRange(min=0, max=maximum)])


class OrganisationForm(FlaskForm):
    """An organisation's profile; the selects' choices are set per request."""

    kind = SelectField(_l("Kind"), choices=choices("kind"))
    legal_name = StringField(
        _l("Legal name"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter the legal name.")), Length(max=200)],
    )
    trade_name = StringField(_l("Trade name"), filters=[strip], validators=[Optional(), Length(max=200)])
    ruc = StringField(
        _l("RUC"),
        filters=[strip],
        validators=[Optional(), valid_ruc],
        description=_l("11 digits; spaces, dots and dashes are ignored."),
    )
    sector_id = SelectField(_l("Sector (ISIC)"), coerce=int_or_none)
    size = SelectField(_l("Size"), choices=choices("size", blank="—"))
    district_id = SelectField(_l("District"), coerce=int_or_none)
    website = StringField(
        _l("Website"),
        filters=[strip, with_scheme],
        validators=[
            Optional(),
            Length(max=200),
            URL(message=_l("Enter a web address starting with http:// or https://.")),
        ],
    )
    owner_id = SelectField(_l("Owner (staff)"), coerce=int_or_none)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10000)])
    version = HiddenField()


class OrganisationProfileForm(OrganisationForm):
    """The organisation form plus the confidential energy and emission profile of a company."""

    electricity_mwh_year = amount(_l("Electricity use (MWh/year)"), MAX_14_2)
    natural_gas_m3_year = amount(_l("Natural gas use (m³/year)"), MAX_16_2)
    emits_upops = BooleanField(_l("Emits u-POPs (e.g. foundries, boilers)"))
    reduction_potential_tco2e = amount(_l("Emission-reduction potential (tCO2e)"), MAX_14_2)


def organisation_form(with_profile: bool, **kwargs: Any) -> OrganisationForm:
    """Build the form, with the profile fields only when they are to be shown and saved."""
    return (OrganisationProfileForm if with_profile else OrganisationForm)(**kwargs)


def initial_data(org: Organisation) -> dict[str, Any]:
    """Return what the edit form shows beyond the organisation's own columns."""
    data: dict[str, Any] = {"version": org.version_id}
    if org.profile is not None:
        data.update({key: getattr(org.profile, key) for key in services.PROFILE_FIELDS})
    return data


def sector_choices(locale: str) -> list[SelectChoice]:
    """Return ISIC sections as groups, each offering the whole section and its divisions."""
    options = [SelectChoice("", "—")]
    for section, divisions in listing.sector_groups():
        group = section.label(locale)
        whole = _("%(sector)s (whole section)", sector=group)
        options.append(SelectChoice(section.id, whole, optgroup=group))
        options += [SelectChoice(d.id, d.label(locale), optgroup=group) for d in divisions]
    return options


def fill_choices(form: OrganisationForm, locale: str, owner_id: int | None = None) -> None:
    """Load the sector, district and owner options from the database."""
    form.sector_id.choices = sector_choices(locale)
    form.district_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(d.id, f"{d.name} ({d.province}, {d.region})") for d in listing.districts()
    ]
    form.owner_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(u.id, u.name) for u in listing.staff_users(include_id=owner_id)
    ]


def org_values(form: OrganisationForm) -> dict[str, Any]:
    """Return the organisation's fields from the form."""
    return {key: getattr(form, key).data for key in services.ORG_FIELDS}


def profile_values(form: OrganisationForm) -> dict[str, Any] | None:
    """Return the emission profile fields, or None when the form does not carry them."""
    if not isinstance(form, OrganisationProfileForm):
        return None
    return {key: getattr(form, key).data for key in services.PROFILE_FIELDS}


def loaded_version(form: OrganisationForm) -> int:
    """Return the version the user loaded; anything odd counts as 0, i.e. a conflict."""
    return to_id((form.version.data or "").strip()) or 0


class CsrfForm(FlaskForm):
    """Only the CSRF token, for buttons that POST."""


class MembershipActionForm(FlaskForm):
    """A button on a membership row; `back` names the organisation page to return to."""

    back = HiddenField()


class MembershipEditForm(MembershipActionForm):
    """A membership's status and start date."""

    status = SelectField(_l("Status"), choices=choices("membership_status"))
    since = DateField(_l("Member since"), validators=[Optional()])


class MembershipAddForm(MembershipEditForm):
    """Add the company to an association."""

    association_id = SelectField(
        _l("Association"),
        coerce=int_or_none,
        validators=[DataRequired(message=_l("Choose an association."))],
    )


def fill_association_choices(form: MembershipAddForm, options: list[Organisation]) -> None:
    """Offer the given associations."""
    form.association_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(o.id, o.legal_name) for o in options
    ]


def back_target(membership: Membership, back: str | None) -> int:
    """Return the organisation page to go back to: the association's if asked, else the company's."""
    return membership.association_id if back == str(membership.association_id) else membership.company_id


def optional_id(value: Any) -> int | None:
    """Coerce a select's value to an id, or None when nothing usable was chosen."""
    return to_id(value)


class BulkForm(FlaskForm):
    """One action applied to the ticked organisations, or to every one the filters find."""

    action = SelectField(
        _l("Action"),
        choices=[
            ("owner", _l("Reassign the owner")),
            ("follow_up", _l("Add a follow-up")),
            ("invite", _l("Invite their people to an event")),
            ("export_csv", _l("Export the selection (CSV)")),
            ("export_xlsx", _l("Export the selection (XLSX)")),
        ],
    )
    everything = BooleanField(_l("Every organisation found, not only the ticked ones"))
    owner_id = SelectField(_l("New owner"), coerce=optional_id, validate_choice=False)
    description = StringField(_l("What has to be done"), [Optional(), Length(max=500)])
    assignee_id = SelectField(_l("Assigned to"), coerce=optional_id, validate_choice=False)
    due_on = DateField(_l("Due on"), [Optional()])
    event_id = SelectField(_l("Event"), coerce=optional_id, validate_choice=False)

    def set_choices(self, owners: list[tuple[int, str]], staff: list[tuple[int, str]]) -> None:
        """Fill the owner and assignee selects (an empty first option: nothing chosen)."""
        empty = [("", "—")]
        self.owner_id.choices = empty + owners
        self.assignee_id.choices = empty + staff


def new_bulk_form() -> BulkForm:
    """Build the bulk form with the active owners and staff as choices."""
    form = BulkForm()
    form.set_choices([(u.id, u.name) for u in listing.staff_users()], staff_choices())
    events = bulk.upcoming_events()
    form.event_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(e.id, f"{fmt_date(e.held_on)} · {e.title}") for e in events
    ]
    return form

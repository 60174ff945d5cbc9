"""Forms of the liaison portal; every id they carry is resolved through a scoped query by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from crm.labels import choices
from crm.models import Programme
from crm.organisations.forms import int_or_none, strip, valid_ruc


class MemberForm(FlaskForm):
    """One row of the member list: the status and a note for the history."""

    status = SelectField(_l("Status"), choices=choices("membership_status"))
    note = StringField(_l("Note"), filters=[strip], validators=[Optional(), Length(max=500)])
    back = HiddenField()  # the list's query string, to come back to the same page


class BulkStatusForm(FlaskForm):
    """One status for every ticked member; the ticked ids come as the list `ids`, resolved by the service."""

    status = SelectField(_l("New status"), choices=choices("membership_status", blank=_l("Choose a status…")))
    back = HiddenField()


class ConfirmForm(FlaskForm):
    """Confirm every listed member as reviewed; the hidden fields repeat the list's filters."""

    status = HiddenField()
    stale = HiddenField()
    q = HiddenField()


def programme_field(text: str, required: bool) -> SelectField:
    """Return a programme select whose id the view resolves (unknown ids answer 404)."""
    validators = [DataRequired(message=_l("Choose a programme."))] if required else [Optional()]
    return SelectField(text, coerce=int_or_none, validate_choice=False, validators=validators)


class ReferForm(FlaskForm):
    """Refer a member to a programme."""

    programme_id = programme_field(_l("Programme"), required=True)
    back = HiddenField()


class AddMemberForm(FlaskForm):
    """Add a company found by the search; optionally refer it at once."""

    organisation_id = HiddenField()
    status = SelectField(_l("Status"), choices=choices("membership_status"), default="prospective")
    programme_id = programme_field(_l("Refer to the project"), required=False)


class NewCompanyForm(FlaskForm):
    """Create a company that is not in the CRM yet and add it as a member."""

    legal_name = StringField(
        _l("Legal name"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter the legal name.")), Length(max=200)],
    )
    ruc = StringField(
        _l("RUC"),
        filters=[strip],
        validators=[Optional(), valid_ruc],
        description=_l("Optional. 11 digits; spaces, dots and dashes are ignored."),
    )
    sector_id = SelectField(_l("Sector (ISIC)"), coerce=int_or_none)
    district_id = SelectField(_l("District"), coerce=int_or_none)
    status = SelectField(_l("Status"), choices=choices("membership_status"), default="prospective")
    programme_id = programme_field(_l("Refer to the project"), required=False)

    def company_values(self) -> dict[str, object]:
        """Return the organisation fields the portal lets a liaison fill in."""
        return {
            "legal_name": self.legal_name.data,
            "ruc": self.ruc.data,
            "sector_id": self.sector_id.data,
            "district_id": self.district_id.data,
        }


def programme_choices(programmes: list[Programme], locale: str, blank: str | None) -> list[SelectChoice]:
    """Offer the active programmes, with an optional blank first."""
    options = [SelectChoice(p.id, p.name(locale)) for p in programmes]
    return ([SelectChoice("", blank)] if blank is not None else []) + options

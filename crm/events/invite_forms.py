"""Forms of invitations and of the public registration page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from crm.events.registration import Registrant
from crm.extensions import db
from crm.labels import SelectChoice, choices
from crm.models import STAGES, Organisation
from crm.models.organisation import OrgKind
from crm.organisations import listing
from crm.organisations.forms import sector_choices

NOTE_MAX = 2000


class InviteForm(FlaskForm):
    """Who to invite (the filters travel in the query string for the preview) and the e-mail's words."""

    view = SelectField(_l("Companies of a saved view"), choices=[], validate_choice=False)
    sector = SelectField(_l("Sector (ISIC)"), choices=[], validate_choice=False)
    district = SelectField(_l("District"), choices=[], validate_choice=False)
    association = SelectField(_l("Member of the association"), choices=[], validate_choice=False)
    stage = SelectField(_l("Stage in a programme"), choices=[], validate_choice=False)
    position = StringField(_l("Position contains"), validators=[Optional(), Length(max=100)])
    attended = SelectField(_l("Earlier events"), choices=[], validate_choice=False)
    language = SelectField(
        _l("Language of the e-mail"),
        choices=[SelectChoice("es", "Español"), SelectChoice("en", "English")],
        default="es",
    )
    note = TextAreaField(
        _l("A few words of your own (optional)"), validators=[Optional(), Length(max=NOTE_MAX)]
    )

    def fill(self, locale: str, views: list) -> None:
        """Load the options of the filters (views: the saved views the user may use)."""
        self.view.choices = [SelectChoice("", "—")] + [SelectChoice(v.id, v.name) for v in views]
        self.sector.choices = sector_choices(locale)
        self.district.choices = [SelectChoice("", "—")] + [
            SelectChoice(d.id, f"{d.name} ({d.province})") for d in listing.districts()
        ]
        self.association.choices = [SelectChoice("", "—")] + [
            SelectChoice(org_id, name) for org_id, name in associations()
        ]
        self.stage.choices = [c for c in choices("stage", blank="—") if c.value in ("", *STAGES)]
        self.attended.choices = [
            SelectChoice("", "—"),
            SelectChoice("any", str(_l("Came to an earlier event"))),
            SelectChoice("none", str(_l("Never came to an event"))),
        ]


def associations() -> list[tuple[int, str]]:
    """Return the associations, by name."""
    query = select(Organisation.id, Organisation.legal_name).where(Organisation.kind == OrgKind.ASSOCIATION)
    return [(row.id, row.legal_name) for row in db.session.execute(query.order_by(Organisation.legal_name))]


GENDER_CHOICES = [
    SelectChoice("female", _l("Woman")),
    SelectChoice("male", _l("Man")),
    SelectChoice("other", _l("Other")),
    SelectChoice("not_recorded", _l("I prefer not to say")),
]


class RegistrationForm(FlaskForm):
    """The public registration page; 'website' is a honeypot that people never see or fill."""

    first_name = StringField(
        _l("First name"), validators=[InputRequired(message=_l("Enter your first name.")), Length(max=80)]
    )
    last_name = StringField(
        _l("Last name"), validators=[InputRequired(message=_l("Enter your last name.")), Length(max=80)]
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            InputRequired(message=_l("Enter your e-mail address.")),
            Email(message=_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    organisation_name = StringField(_l("Company or organisation"), validators=[Optional(), Length(max=200)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=120)])
    gender = SelectField(_l("Gender"), choices=GENDER_CHOICES, default="not_recorded")
    consent = BooleanField(_l("I agree to receive e-mails about the project's future events"))
    website = StringField(_l("Leave this field empty"))
    i = HiddenField()

    def registrant(self) -> Registrant:
        """Return what the person typed."""
        return Registrant(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            email=(self.email.data or "").strip(),
            organisation_name=self.organisation_name.data,
            position=self.position.data,
            gender=self.gender.data,
            consent=bool(self.consent.data),
        )

    def is_bot(self) -> bool:
        """Return whether the hidden field was filled (only robots fill it)."""
        return bool((self.website.data or "").strip())

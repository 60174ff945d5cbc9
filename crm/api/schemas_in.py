"""What scripts may send to change contacts, memberships, letters and events (the same fields as the forms).

A PATCH schema lists every field as optional: what is absent keeps its value. A create schema marks what
the form requires. Lengths are those of the columns, so that no database refuses what the schema accepts.
"""

from __future__ import annotations

import marshmallow as ma

from crm.api.paging import Id, Money, Text, UtcDateTime
from crm.letters.rules import MAX_AMOUNT, MAX_RATE
from crm.models import (
    COFINANCE_TYPES,
    COFINANCIER_TYPES,
    COMPONENTS,
    CURRENCIES,
    EVENT_TYPES,
    GENDERS,
    LETTER_KINDS,
    LETTER_STATUSES,
    MEMBERSHIP_STATUSES,
)

F = ma.fields
V = ma.validate
PHONE = r"^[0-9 +\-()]*$"
CONSENT_SOURCES = ("letter", "event", "email", "verbal")  # "withdrawn" is recorded, never chosen
CONSENT_SCOPES = ("project", "events")


NOT_BLANK = "Enter some text, not only spaces."


def filled(text: str) -> None:
    """Refuse text of spaces alone, as the form's DataRequired does."""
    if not text.strip():
        raise ma.ValidationError(NOT_BLANK)


def optional(field: type[F.Field], **kwargs) -> F.Field:
    """Return a field that may be absent or null."""
    return field(allow_none=True, **kwargs)


RATE_HELP = "for PEN: soles per dollar as quoted in Peru (3.75) or dollars per sol (0.2667); ignored for USD"


class ContactIn(ma.Schema):
    """The fields a script may set on a contact; consent is recorded with its date as on the form."""

    first_name = Text(validate=[V.Length(1, 80), filled])
    last_name = Text(validate=[V.Length(1, 80), filled])
    position = optional(Text, validate=V.Length(max=120))
    organisation_id = Id(allow_none=True)
    email = optional(F.Email, validate=V.Length(max=254))
    phone = optional(Text, validate=[V.Length(max=40), V.Regexp(PHONE)])
    gender = F.String(validate=V.OneOf(GENDERS))
    email_consent = F.Boolean(metadata={"description": "false after true records a withdrawal"})
    consent_source = optional(F.String, validate=V.OneOf(CONSENT_SOURCES))
    consent_scope = optional(F.String, validate=V.OneOf(CONSENT_SCOPES))


class ContactCreate(ContactIn):
    """A new contact: first and last name are required."""

    first_name = Text(required=True, validate=[V.Length(1, 80), filled])
    last_name = Text(required=True, validate=[V.Length(1, 80), filled])


class MembershipIn(ma.Schema):
    """A membership's status and the date it started."""

    status = F.String(validate=V.OneOf(MEMBERSHIP_STATUSES))
    since = optional(F.Date, metadata={"description": "not in the future"})


class MembershipCreate(MembershipIn):
    """A company joining a business association."""

    company_id = Id(required=True)
    association_id = Id(required=True)
    status = F.String(required=True, validate=V.OneOf(MEMBERSHIP_STATUSES))


class MembershipReviewIn(ma.Schema):
    """A liaison's review of a member: its status and an optional note for its history."""

    status = F.String(required=True, validate=V.OneOf(MEMBERSHIP_STATUSES))
    note = optional(Text, validate=V.Length(max=500), metadata={"description": "kept in the history"})


class LetterIn(ma.Schema):
    """The fields a script may set on a letter; the letters' rules decide what is consistent."""

    kind = F.String(validate=V.OneOf(LETTER_KINDS))
    status = F.String(validate=V.OneOf(LETTER_STATUSES))
    programme_id = Id(allow_none=True)
    requested_on = optional(F.Date)
    received_on = optional(F.Date)
    signed_on = optional(F.Date)
    expires_on = optional(F.Date)
    signatory_id = Id(allow_none=True, metadata={"description": "a contact of the organisation"})
    notes = optional(Text, validate=V.Length(max=10_000))
    amount = optional(Money, validate=V.Range(0, MAX_AMOUNT))
    currency = optional(F.String, validate=V.OneOf(CURRENCIES))
    exchange_rate = optional(Money, validate=V.Range(0, MAX_RATE), metadata={"description": RATE_HELP})
    cofinance_type = optional(F.String, validate=V.OneOf(COFINANCE_TYPES))
    cofinancier_type = optional(F.String, validate=V.OneOf(COFINANCIER_TYPES))
    component = F.Integer(allow_none=True, strict=True, validate=V.OneOf(COMPONENTS))


class LetterCreate(LetterIn):
    """A letter requested from (or received from) an organisation; its status starts as requested."""

    organisation_id = Id(required=True)
    kind = F.String(required=True, validate=V.OneOf(LETTER_KINDS))
    status = F.String(load_default="requested", validate=V.OneOf(LETTER_STATUSES))


class EventIn(ma.Schema):
    """The fields a script may set on an event."""

    title = Text(validate=V.Length(1, 200))
    type = F.String(validate=V.OneOf(EVENT_TYPES))
    held_on = F.Date()
    place = optional(Text, validate=V.Length(max=200))
    online = F.Boolean()
    programme_id = Id(allow_none=True)
    gender_specific = F.Boolean()
    training_module_id = Id(
        allow_none=True,
        metadata={"description": "an active training module (or the event's own if deactivated); null: none"},
    )
    training_module = optional(Text, validate=V.Length(max=200))
    notes = optional(Text, validate=V.Length(max=20_000))


class EventCreate(EventIn):
    """A new event: title, type and date are required (and a place unless it is online)."""

    title = Text(required=True, validate=V.Length(1, 200))
    type = F.String(required=True, validate=V.OneOf(EVENT_TYPES))
    held_on = F.Date(required=True)


class AttendanceIn(ma.Schema):
    """The contact who attended."""

    contact_id = Id(required=True)


class AttendanceSchema(ma.Schema):
    """One person at one event."""

    id = F.Integer(required=True)
    event_id = F.Integer()
    contact_id = F.Integer()
    created_at = UtcDateTime(allow_none=True)


class RegistrationSchema(ma.Schema):
    """One person registered for an event (what they typed, as they typed it)."""

    id = F.Integer(required=True)
    event_id = F.Integer()
    contact_id = F.Integer()
    source = F.String()
    organisation_name = F.String(allow_none=True)
    position = F.String(allow_none=True)
    created_at = UtcDateTime(allow_none=True)
    updated_at = UtcDateTime(allow_none=True)

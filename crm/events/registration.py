"""Registration for an event without signing in: the public page, the personal link of an invitation.

The public page lives at an unguessable address (the event's public_token), so events cannot be listed
by trying ids. A registrant is matched to an existing contact by e-mail; otherwise a new contact is
created and waits for the team's review (needs_review): nothing a stranger types changes an existing
contact. Registering twice changes nothing. Each registration queues one confirmation e-mail with the
event's .ics (crm/events/invite_mail.py), in the same transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from crm.clock import today
from crm.extensions import db
from crm.models import GENDERS, Contact, Event, Invitation, Registration, User, utcnow
from crm.models.event import RegistrationSource
from crm.outbox import queue_mail
from crm.permissions import roles_with

SALT = "event-invitation-link"  # its own salt: no other signed token of the app is accepted
CONFIRMATION = "event_registration"


@dataclass
class Registrant:
    """What a person typed on the registration page."""

    first_name: str
    last_name: str
    email: str
    organisation_name: str | None = None
    position: str | None = None
    gender: str = "not_recorded"
    consent: bool = False


def open_registration(event: Event) -> None:
    """Open the event's public page, giving it an address the first time."""
    event.public_token = event.public_token or secrets.token_urlsafe(18)[:24]
    event.registration_open = True


def close_registration(event: Event) -> None:
    """Close the event's public page (its address stays, for when it opens again)."""
    event.registration_open = False


def is_open(event: Event) -> bool:
    """Return whether people may still register (opened, and the day has not passed)."""
    return bool(event.registration_open and event.public_token) and event.held_on >= today()


def event_of(token: str) -> Event | None:
    """Return the event whose public address this is, or None."""
    if not token or len(token) > 32:
        return None
    return db.session.scalar(select(Event).where(Event.public_token == token))


def serializer() -> URLSafeSerializer:
    """Return the signer of personal registration links (its own salt)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def invitation_token(event_id: int, contact_id: int) -> str:
    """Return the personal token of an invited contact."""
    return serializer().dumps({"e": event_id, "c": contact_id})


def invited_contact(event: Event, token: str | None) -> Contact | None:
    """Return the invited contact a personal token names for this event, or None."""
    try:
        data = serializer().loads(token) if token else None
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != event.id:
        return None
    found = select(Invitation.contact_id).where(
        Invitation.event_id == event.id, Invitation.contact_id == data.get("c")
    )
    contact = db.session.get(Contact, data["c"]) if db.session.scalar(found) else None
    return contact if contact is not None and contact.erased_at is None else None


def same_email(email: str) -> Contact | None:
    """Return the oldest contact with this e-mail address (not erased), or None."""
    query = select(Contact).where(
        func.lower(Contact.email) == email.strip().lower(), Contact.erased_at.is_(None)
    )
    return db.session.scalars(query.order_by(Contact.id).limit(1)).first()


def new_contact(person: Registrant) -> Contact:
    """Create the contact of a new registrant, waiting for the team's review."""
    contact = Contact(
        first_name=person.first_name.strip(),
        last_name=person.last_name.strip(),
        email=person.email.strip(),
        position=(person.position or "").strip() or None,
        gender=person.gender if person.gender in GENDERS else "not_recorded",
        needs_review=True,
    )
    db.session.add(contact)
    return contact


def record_consent(contact: Contact, given: bool) -> None:
    """Record consent to future e-mail given on the page (never withdraws: unticked means 'not now')."""
    if given and not contact.email_consent:
        contact.email_consent, contact.consent_source = True, "event"
        contact.consent_scope, contact.consent_at = contact.consent_scope or "events", utcnow()


def fill_blanks(contact: Contact, person: Registrant) -> None:
    """Complete an invited contact's unknown gender and position (a signed link: it is the person)."""
    if contact.gender == "not_recorded" and person.gender in GENDERS:
        contact.gender = person.gender
    if not contact.position and (person.position or "").strip():
        contact.position = person.position.strip()[:120]


def registration_of(event: Event, contact: Contact) -> Registration | None:
    """Return the contact's registration for the event, if any."""
    query = select(Registration).where(
        Registration.event_id == event.id, Registration.contact_id == contact.id
    )
    return db.session.scalar(query)


def register(event: Event, person: Registrant, invited: Contact | None = None) -> tuple[Registration, bool]:
    """Register the invited contact, else the one with this e-mail, else a new one; return it and if new."""
    contact = invited or same_email(person.email) or new_contact(person)
    db.session.flush()
    existing = registration_of(event, contact)
    if existing is not None:
        return existing, False
    record_consent(contact, person.consent)
    if invited is not None:
        fill_blanks(contact, person)
    source = RegistrationSource.INVITATION if invited else RegistrationSource.PUBLIC
    registration = Registration(
        event_id=event.id,
        contact_id=contact.id,
        source=source,
        organisation_name=(person.organisation_name or "").strip()[:200] or None,
        position=(person.position or "").strip()[:120] or None,
    )
    db.session.add(registration)
    db.session.flush()
    queue_confirmation(event, contact, person.email)
    return registration, True


def organiser_id(event: Event) -> int | None:
    """Return the user a confirmation is recorded under: the event's creator, else the first organiser."""
    if event.created_by_id:
        return event.created_by_id
    query = select(User.id).where(User.role.in_(roles_with("event.edit")), User.active.is_(True))
    query = query.order_by(User.id)
    return db.session.scalars(query.limit(1)).first()


def queue_confirmation(event: Event, contact: Contact, email: str) -> None:
    """Queue the confirmation with the .ics, once per person and event (the outbox key)."""
    from crm.web import locale

    recipient = organiser_id(event)
    if recipient is None:
        return
    payload = {
        "event_id": event.id,
        "contact_id": contact.id,
        "to_email": email.strip(),
        "to_name": contact.full_name,
        "language": locale(),
    }
    queue_mail(
        CONFIRMATION,
        recipient,
        subject_type="contact",
        subject_id=contact.id,
        period=f"event{event.id}",
        payload=payload,
    )

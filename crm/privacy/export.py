"""Ley 29733 access: everything the CRM holds about one contact, as plain values (JSON and print)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from crm.extensions import db
from crm.history import HIDDEN
from crm.labels import label
from crm.models import (
    Attendance,
    ChangeLog,
    Consultant,
    Contact,
    EmailMessage,
    Event,
    Interaction,
    Invitation,
    Letter,
    OutboxMessage,
    Registration,
)
from crm.models.interaction import interaction_contacts
from crm.privacy.erasure import like, traces_of

LIMIT = 2000  # rows per section: far beyond one person's history
# Every table with a column pointing at a contact, and the section that shows its rows: a new table must be
# added here (tests/privacy/test_subject_pages.py fails on one that is not), so no export forgets it.
SECTION_OF_TABLE = {
    "interaction_contacts": "interactions",
    "invitations": "invitations",
    "registrations": "registrations",
    "attendances": "attendance",
    "letters": "letters_signed",
    "consultants": "consultant",
}


def subject_data(contact: Contact) -> dict[str, Any]:
    """Return every section of a contact's data, each a list of plain dicts."""
    return {
        "contact": _contact(contact),
        "history": _history(contact.id),
        "interactions": _interactions(contact.id),
        "emails": _emails(contact),
        "invitations": _event_rows(Invitation, contact.id),
        "registrations": _event_rows(Registration, contact.id, "source", "organisation_name", "position"),
        "attendance": _event_rows(Attendance, contact.id),
        "letters_signed": _letters(contact.id),
        "consultant": _consultant(contact.id),
        "outbox": _outbox(contact),
    }


def _contact(contact: Contact) -> dict[str, Any]:
    """Return the contact's own fields, consents included."""
    keys = [
        "id",
        "first_name",
        "last_name",
        "position",
        "email",
        "phone",
        "gender",
        "email_consent",
        "consent_at",
        "consent_source",
        "consent_scope",
        "erased_at",
        "organisation_id",
    ]
    data = {key: getattr(contact, key) for key in keys}
    data["organisation"] = contact.organisation.legal_name if contact.organisation else None
    return data


def _history(contact_id: int) -> list[dict[str, Any]]:
    """Return the change history of the contact's record."""
    query = select(ChangeLog).where(ChangeLog.entity_type == "contact", ChangeLog.entity_id == contact_id)
    rows = db.session.scalars(query.order_by(ChangeLog.at).limit(LIMIT))
    return [
        {"at": r.at, "action": r.action, "user_id": r.user_id, "changes": r.changes, "fields": field_names(r)}
        for r in rows
    ]


def field_names(row: ChangeLog) -> list[str]:
    """Return the labels of the fields a change touched, as the history pages name them."""
    return [label("field", name) for name in row.changes or {} if name not in HIDDEN]


def _interactions(contact_id: int) -> list[dict[str, Any]]:
    """Return the interactions the contact took part in."""
    ids = select(interaction_contacts.c.interaction_id).where(interaction_contacts.c.contact_id == contact_id)
    query = select(Interaction).where(Interaction.id.in_(ids)).order_by(Interaction.occurred_on).limit(LIMIT)
    return [
        {
            "id": i.id,
            "occurred_on": i.occurred_on,
            "kind": i.kind,
            "organisation_id": i.organisation_id,
            "summary": i.summary,
            "outcome": i.outcome,
            "next_step": i.next_step,
        }
        for i in db.session.scalars(query)
    ]


def _emails(contact: Contact) -> list[dict[str, Any]]:
    """Return the captured e-mails from or to the contact's address or naming them."""
    forms = traces_of(contact).like_forms()
    if not forms:
        return []
    columns = [EmailMessage.from_address, EmailMessage.participants, EmailMessage.body_text]
    found = or_(*[like(column, form) for column in columns for form in forms])
    query = select(EmailMessage).where(found).order_by(EmailMessage.sent_at).limit(LIMIT)
    return [
        {
            "id": m.id,
            "sent_at": m.sent_at,
            "subject": m.subject,
            "from": m.from_address,
            "participants": m.participants,
            "body_text": m.body_text,
        }
        for m in db.session.scalars(query)
    ]


def _event_rows(model: Any, contact_id: int, *extra: str) -> list[dict[str, Any]]:
    """Return the events the contact was invited to, registered for or attended, with the row's own fields."""
    columns = [getattr(model, name) for name in extra]
    query = (
        select(Event.id, Event.title, Event.held_on, model.created_at, *columns)
        .join(model, model.event_id == Event.id)
        .where(model.contact_id == contact_id)
        .order_by(Event.held_on)
        .limit(LIMIT)
    )
    keys = ("event_id", "title", "held_on", "recorded_at", *extra)
    return [dict(zip(keys, row, strict=True)) for row in db.session.execute(query)]


def _letters(contact_id: int) -> list[dict[str, Any]]:
    """Return the letters the contact signed."""
    query = select(Letter).where(Letter.signatory_id == contact_id).limit(LIMIT)
    return [
        {
            "id": x.id,
            "kind": x.kind,
            "organisation_id": x.organisation_id,
            "signed_on": x.signed_on,
            "status": x.status,
        }
        for x in db.session.scalars(query)
    ]


def _consultant(contact_id: int) -> list[dict[str, Any]]:
    """Return the person's entry in the consultants registry with the companies they advised."""
    entry = db.session.scalar(select(Consultant).where(Consultant.contact_id == contact_id))
    if entry is None:
        return []
    keys = ("id", "specialisms", "region", "status", "candidate_on", "qualified_on", "suspended_on",
            "withdrawn_on", "published", "notes")
    data = {key: getattr(entry, key) for key in keys}
    data["assignments"] = [
        {"engagement_id": a.engagement_id, "role": a.role, "started_on": a.started_on, "ended_on": a.ended_on}
        for a in entry.assignments
    ]
    return [data]


def _outbox(contact: Contact) -> list[dict[str, Any]]:
    """Return the queued or sent messages naming the contact."""
    forms = traces_of(contact).like_forms()
    if not forms:
        return []
    found = or_(*[like(c, f) for c in (OutboxMessage.payload, OutboxMessage.body_text) for f in forms])
    query = select(OutboxMessage).where(found).order_by(OutboxMessage.id).limit(LIMIT)
    return [
        {"id": m.id, "status": m.status, "sent_at": m.sent_at, "subject": m.subject, "body_text": m.body_text}
        for m in db.session.scalars(query)
    ]

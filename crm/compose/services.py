"""Compose e-mails to an organisation's contacts: check who may receive them, queue one outbox row each.

Everything happens in the caller's transaction: the outbox rows, the e-mail records (with the Message-ID
the worker will send) and their interactions commit together, or not at all. The worker sends each row
exactly once (crm/mail/delivery.py); the Message-ID derives from the row's idempotency key, so mail
capture threads a reply (In-Reply-To: that id) onto the e-mail recorded here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from crm.clock import zone
from crm.compose.catalog import merge
from crm.compose.consent_links import REASONS, refusal, withdrawal_url
from crm.errors import UserError
from crm.extensions import db
from crm.mail.transport import message_id
from crm.models import Contact, EmailMessage, Engagement, Interaction, Organisation, User, utcnow
from crm.models.interaction import InteractionKind
from crm.models.mailcapture import EmailStatus
from crm.outbox import mail_key, queue_mail, subject_key

KIND = "contact_mail"
EXCERPT = 300


@dataclass(frozen=True)
class Draft:
    """What the user wrote, before merging."""

    subject: str
    body: str
    language: str
    batch: str  # one per compose form: a second submit of the same form sends nothing more


def new_batch() -> str:
    """Return a fresh compose batch id (the period of the outbox keys)."""
    return secrets.token_hex(8)


def contacts_of(org: Organisation) -> list[Contact]:
    """Return the organisation's contacts that are not erased, by name."""
    query = select(Contact).where(Contact.organisation_id == org.id, Contact.erased_at.is_(None))
    return list(db.session.scalars(query.order_by(Contact.last_name, Contact.first_name, Contact.id)))


def refusal_text(contact: Contact) -> str:
    """Return, in the user's language, why a contact cannot be e-mailed."""
    reason = str(REASONS[refusal(contact) or "no_consent"])
    return _("%(name)s cannot receive e-mail: %(reason)s.", name=full_name(contact), reason=reason)


def full_name(contact: Contact) -> str:
    """Return the contact's name."""
    return f"{contact.first_name} {contact.last_name}".strip()


def programme_name(org: Organisation, language: str) -> str:
    """Return the name of the organisation's most recent programme, or an empty string."""
    query = select(Engagement).where(Engagement.organisation_id == org.id).order_by(Engagement.id.desc())
    engagement = db.session.scalars(query.limit(1)).first()
    if engagement is None:
        return ""
    programme = engagement.programme
    return programme.name_en if language == "en" else programme.name_es


def merge_values(contact: Contact, org: Organisation, sender: User, language: str) -> dict[str, str]:
    """Return the whitelisted merge values of one recipient."""
    owner = org.owner or sender
    return {
        "contact_name": full_name(contact),
        "company": org.legal_name,
        "owner": owner.name,
        "programme": programme_name(org, language),
    }


def recipients(org: Organisation, contact_ids: list[int]) -> list[Contact]:
    """Return the chosen contacts of the organisation; refuse when none or any may not be e-mailed."""
    chosen = [c for c in contacts_of(org) if c.id in set(contact_ids)]
    if not chosen:
        raise UserError(_("Choose at least one contact of this organisation."), field="contacts")
    refused = " ".join(refusal_text(c) for c in chosen if refusal(c))
    if refused:  # nothing goes to anyone while one recipient may not be written to
        raise UserError(refused, field="contacts")
    return chosen


def check_draft(draft: Draft) -> None:
    """Refuse an empty subject or body."""
    if not draft.subject.strip() or not draft.body.strip():
        raise UserError(_("Write a subject and a message."), field="subject")
    if len(draft.subject) > 250 or len(draft.body) > 20000:
        raise UserError(_("The subject or the message is too long."), field="subject")


def rendered(draft: Draft, contact: Contact, org: Organisation, sender: User) -> tuple[str, str]:
    """Return one recipient's merged subject and body."""
    values = merge_values(contact, org, sender, draft.language)
    return " ".join(merge(draft.subject, values).split()), merge(draft.body, values)


def preview(org: Organisation, sender: User, contact_ids: list[int], draft: Draft) -> list[dict]:
    """Return each recipient's merged e-mail, refusing the whole draft if anything is wrong."""
    check_draft(draft)
    items = []
    for contact in recipients(org, contact_ids):
        subject, body = rendered(draft, contact, org, sender)
        items.append({"contact": contact, "subject": subject, "body": body})
    return items


def send(org: Organisation, sender: User, contact_ids: list[int], draft: Draft) -> int:
    """Queue one e-mail per recipient and log each as an interaction; return how many were queued."""
    queued = 0
    for item in preview(org, sender, contact_ids, draft):
        queued += queue_one(org, sender, item["contact"], item["subject"], item["body"], draft)
    return queued


def queue_one(
    org: Organisation, sender: User, contact: Contact, subject: str, body: str, draft: Draft
) -> int:
    """Write the outbox row and the e-mail record of one recipient (0 when this batch already did)."""
    payload = {
        "contact_id": contact.id,
        "organisation_id": org.id,
        "to_name": full_name(contact),
        "to_email": contact.email.strip(),
        "subject": subject,
        "text": body,
        "language": draft.language,
        "withdraw_url": withdrawal_url(contact.id),
    }
    row = queue_mail(
        KIND, sender.id, subject_type="contact", subject_id=contact.id, period=draft.batch, payload=payload
    )
    if row is None:
        return 0
    key = mail_key(KIND, sender.id, subject_key("contact", contact.id), draft.batch)
    record_email(org, sender, contact, message_id(key), subject, body)
    return 1


def record_email(
    org: Organisation, sender: User, contact: Contact, ident: str, subject: str, body: str
) -> None:
    """Store the outgoing e-mail (Message-ID, participants, excerpt, body) and its interaction."""
    now = utcnow()
    interaction = Interaction(
        organisation_id=org.id,
        kind=InteractionKind.EMAIL,
        occurred_on=now.astimezone(zone()).date(),
        staff_id=sender.id,
        summary=subject[:1000] or "—",
    )
    interaction.contacts = [contact]
    db.session.add(interaction)
    db.session.add(
        EmailMessage(
            message_id=ident,
            thread_id=ident,
            status=EmailStatus.LOGGED,
            direction="outbound",
            sent_at=now,
            subject=subject[:300],
            from_address=sender.email[:254],
            from_name=sender.name[:200],
            participants=[
                {"role": "from", "address": sender.email, "name": sender.name},
                {"role": "to", "address": contact.email.strip(), "name": full_name(contact)},
            ],
            excerpt=" ".join(body.split())[:EXCERPT],
            body_text=body,
            attachments=[],
            organisation_id=org.id,
            interaction=interaction,
            logged_by_id=sender.id,
        )
    )

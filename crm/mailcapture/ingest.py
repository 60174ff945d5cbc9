"""Turn fetched messages into captured e-mails: once per mailbox, once overall, logged when they match.

A message is recorded once per mailbox (unique mailbox and Message-ID) and once overall (unique
Message-ID), so two runs, or two mailboxes holding the same message, never log it twice. A message matched
to an organisation becomes an e-mail interaction; an unmatched one waits for review (from the shared
mailbox or the dropbox; from a personal mailbox it is not kept at all). Auto-replies, bounces and
invitations are noted without their content and never logged as conversations.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from crm.clock import zone
from crm.documents import store_upload
from crm.errors import UserError
from crm.extensions import db
from crm.mailcapture.matching import AddressBook, Match
from crm.mailcapture.parsing import Attachment, ParsedMail, parse
from crm.models import Contact, EmailMessage, Interaction, Mailbox, MailboxMessage, Organisation
from crm.models.interaction import InteractionKind
from crm.models.mailcapture import EmailCategory, EmailStatus, MailboxKind


@dataclass
class Tally:
    """What a run did with the messages it read."""

    logged: int = 0
    review: int = 0
    ignored: int = 0
    skipped: int = 0
    known: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        """Count one outcome."""
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass(frozen=True)
class Fetched:
    """One message as the server gave it."""

    uid: int
    raw: bytes
    arrived: datetime | None


def ingest_batch(mailbox: Mailbox, book: AddressBook, batch: list[Fetched], tally: Tally) -> None:
    """Record a batch of messages of one mailbox (three lookups for the whole batch)."""
    parsed = [(item.uid, parse(item.raw, item.arrived)) for item in batch]
    ids = {mail.message_id for _uid, mail in parsed}
    seen_here = set(
        db.session.scalars(
            select(MailboxMessage.message_id).where(
                MailboxMessage.mailbox_id == mailbox.id, MailboxMessage.message_id.in_(ids)
            )
        )
    )
    known = {
        e.message_id: e
        for e in db.session.scalars(select(EmailMessage).where(EmailMessage.message_id.in_(ids)))
    }
    for uid, mail in parsed:
        if mail.message_id in seen_here:
            tally.add("known")
            continue
        seen_here.add(mail.message_id)
        tally.add(ingest_one(mailbox, book, uid, mail, known))


def ingest_one(mailbox: Mailbox, book: AddressBook, uid: int, mail: ParsedMail, known: dict) -> str:
    """Record one message new to this mailbox; return what became of it."""
    email = known.get(mail.message_id)
    outcome = "known"
    if email is None:
        match = book.match(mail, mailbox)
        if not keeps(mailbox, mail, match):
            return "skipped"  # a personal mailbox's message with nobody we know: nothing is stored
        email = record(mailbox, mail, match)
        known[mail.message_id] = email
        outcome = {EmailStatus.LOGGED: "logged", EmailStatus.REVIEW: "review"}.get(email.status, "ignored")
    db.session.add(
        MailboxMessage(mailbox_id=mailbox.id, message_id=mail.message_id, uid=uid, email_id=email.id)
    )
    return outcome


def keeps(mailbox: Mailbox, mail: ParsedMail, match: Match) -> bool:
    """Return whether the message is kept: always from the shared mailbox, else only with a known contact."""
    if mailbox.kind == MailboxKind.SHARED or match.dropbox_user_id is not None:
        return True
    return bool(match.contact_ids) and mail.category == EmailCategory.CONVERSATION


def record(mailbox: Mailbox, mail: ParsedMail, match: Match) -> EmailMessage:
    """Store a new e-mail: logged as an interaction, waiting for review, or noted as not a conversation."""
    if mail.category != EmailCategory.CONVERSATION:
        return add_email(mail, match, status=EmailStatus.IGNORED, content=False)
    status = EmailStatus.LOGGED if match.organisation_id else EmailStatus.REVIEW
    email = add_email(mail, match, status=status, content=True)
    email.logged_by_id = match.dropbox_user_id
    email.attachments = store_attachments(mail.attachments, email.logged_by_id)
    if status == EmailStatus.LOGGED:
        email.logged_by_id = email.logged_by_id or owner_of(mailbox, match.organisation_id)
        log_interaction(email, match.contact_ids)
    return email


def owner_of(mailbox: Mailbox, organisation_id: int | None) -> int:
    """Return who an e-mail is logged as: a personal mailbox's owner, else the organisation's owner."""
    if mailbox.kind == MailboxKind.PERSONAL or organisation_id is None:
        return mailbox.owner_id
    owner = db.session.scalar(select(Organisation.owner_id).where(Organisation.id == organisation_id))
    return owner or mailbox.owner_id


def add_email(mail: ParsedMail, match: Match, status: str, content: bool) -> EmailMessage:
    """Add the e-mail row (with its body and participants only when it is a conversation)."""
    email = EmailMessage(
        message_id=mail.message_id,
        thread_id=thread_of(mail),
        in_reply_to=mail.in_reply_to,
        references=" ".join(mail.references)[:4000] or None,
        status=status,
        category=mail.category,
        direction=match.direction,
        sent_at=mail.sent_at,
        subject=mail.subject,
        from_address=mail.sender.address[:254],
        from_name=mail.sender.name[:200],
        participants=participants(mail) if content else [],
        excerpt=mail.excerpt if content else "",
        body_text=mail.text if content else "",
        attachments=[],
        organisation_id=match.organisation_id if content else None,
    )
    db.session.add(email)
    db.session.flush()
    return email


def participants(mail: ParsedMail) -> list[dict[str, str]]:
    """Return who took part, by role."""
    roles = [("from", [mail.sender]), ("to", mail.to), ("cc", mail.cc), ("forwarded", mail.embedded)]
    return [
        {"role": role, "address": a.address, "name": a.name}
        for role, people in roles
        for a in people
        if a.address
    ]


def thread_of(mail: ParsedMail) -> str:
    """Return the thread: that of a message it answers, else the first referenced id, else its own."""
    earlier = [*mail.references, *([mail.in_reply_to] if mail.in_reply_to else [])]
    if earlier:
        found = db.session.scalar(
            select(EmailMessage.thread_id).where(EmailMessage.message_id.in_(earlier)).limit(1)
        )
        return found or earlier[0]
    return mail.message_id


def log_interaction(email: EmailMessage, contact_ids: list[int]) -> Interaction:
    """Create the e-mail interaction of a matched message (its summary is the subject only)."""
    interaction = Interaction(
        organisation_id=email.organisation_id,
        kind=InteractionKind.EMAIL,
        occurred_on=email.sent_at.astimezone(zone()).date(),
        staff_id=email.logged_by_id,
        summary=email.subject or "—",
    )
    if contact_ids:
        interaction.contacts = list(db.session.scalars(select(Contact).where(Contact.id.in_(contact_ids))))
    db.session.add(interaction)
    db.session.flush()
    email.interaction_id = interaction.id
    email.status = EmailStatus.LOGGED
    return interaction


def attachment_limit() -> int:
    """Return the largest attachment stored, in bytes."""
    return current_app.config["CAPTURE_ATTACHMENT_MAX_MB"] * 1024 * 1024


def store_attachments(files: list[Attachment], user_id: int | None) -> list[dict]:
    """Store each attachment through the documents module; list the oversize or refused ones unstored."""
    listed = []
    for item in files:
        entry = {"name": item.name, "size": len(item.data), "document_id": None, "note": ""}
        if len(item.data) > attachment_limit():
            entry["note"] = "too_large"
        else:
            try:
                upload = FileStorage(
                    io.BytesIO(item.data), filename=item.name, content_type=item.content_type
                )
                entry["document_id"] = store_upload(upload, user_id).id
            except UserError:
                entry["note"] = "refused"
        listed.append(entry)
    return listed

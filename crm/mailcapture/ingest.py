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
from crm.models import Contact, EmailMessage, Interaction, Mailbox, MailboxMessage
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


@dataclass
class Batch:
    """What one batch's messages are recorded with, read in a few queries for the whole batch."""

    mailbox: Mailbox
    book: AddressBook
    known: dict[str, EmailMessage]  # message id -> the e-mail already recorded (any mailbox)
    threads: dict[str, str]  # message id -> thread, for the ids the batch refers to (and its own)
    contacts: dict[int, Contact] = field(default_factory=dict)


def ingest_batch(mailbox: Mailbox, book: AddressBook, batch: list[Fetched], tally: Tally) -> None:
    """Record a batch of messages of one mailbox: a handful of queries and one flush for the whole batch."""
    parsed = [(item.uid, parse(item.raw, item.arrived)) for item in batch]
    ids = {mail.message_id for _uid, mail in parsed}
    query = select(MailboxMessage.message_id).where(
        MailboxMessage.mailbox_id == mailbox.id, MailboxMessage.message_id.in_(ids)
    )
    seen_here = set(db.session.scalars(query))
    known = {
        e.message_id: e
        for e in db.session.scalars(select(EmailMessage).where(EmailMessage.message_id.in_(ids)))
    }
    context = Batch(mailbox, book, known, threads_of(parsed))
    matches = {mail.message_id: book.match(mail, mailbox) for _uid, mail in parsed}
    wanted = {c for m in matches.values() for c in m.contact_ids}
    context.contacts = {c.id: c for c in db.session.scalars(select(Contact).where(Contact.id.in_(wanted)))}
    for uid, mail in parsed:
        if mail.message_id in seen_here:
            tally.add("known")
            continue
        seen_here.add(mail.message_id)
        tally.add(ingest_one(context, uid, mail, matches[mail.message_id]))
    db.session.flush()


def threads_of(parsed: list[tuple[int, ParsedMail]]) -> dict[str, str]:
    """Return the threads of the messages the batch answers or refers to."""
    earlier = {ref for _uid, mail in parsed for ref in earlier_ids(mail)}
    query = select(EmailMessage.message_id, EmailMessage.thread_id).where(
        EmailMessage.message_id.in_(earlier)
    )
    return {message_id: thread for message_id, thread in db.session.execute(query)}


def ingest_one(context: Batch, uid: int, mail: ParsedMail, match: Match) -> str:
    """Record one message new to this mailbox; return what became of it."""
    email = context.known.get(mail.message_id)
    outcome = "known"
    if email is None:
        if not keeps(context.mailbox, mail, match):
            return "skipped"  # a personal mailbox's message with nobody we know: nothing is stored
        email = record(context, mail, match)
        context.known[mail.message_id] = email
        outcome = {EmailStatus.LOGGED: "logged", EmailStatus.REVIEW: "review"}.get(email.status, "ignored")
    db.session.add(
        MailboxMessage(mailbox_id=context.mailbox.id, message_id=mail.message_id, uid=uid, email=email)
    )
    return outcome


def keeps(mailbox: Mailbox, mail: ParsedMail, match: Match) -> bool:
    """Return whether the message is kept: always from the shared mailbox, else only with a known contact."""
    if mailbox.kind == MailboxKind.SHARED or match.dropbox_user_id is not None:
        return True
    return bool(match.contact_ids) and mail.category == EmailCategory.CONVERSATION


def record(context: Batch, mail: ParsedMail, match: Match) -> EmailMessage:
    """Store a new e-mail: logged as an interaction, waiting for review, or noted as not a conversation."""
    thread = thread_of(mail, context.threads)
    if mail.category != EmailCategory.CONVERSATION:
        return add_email(mail, match, thread, status=EmailStatus.IGNORED, content=False)
    status = EmailStatus.LOGGED if match.organisation_id else EmailStatus.REVIEW
    email = add_email(mail, match, thread, status=status, content=True)
    email.logged_by_id = match.dropbox_user_id
    if mail.attachments:
        email.attachments = store_attachments(mail.attachments, email.logged_by_id)
    if status == EmailStatus.LOGGED:
        email.logged_by_id = email.logged_by_id or owner_of(context, match.organisation_id)
        people = [context.contacts[c] for c in match.contact_ids if c in context.contacts]
        log_interaction(email, people=people)
    return email


def owner_of(context: Batch, organisation_id: int | None) -> int:
    """Return who an e-mail is logged as: a personal mailbox's owner, else the organisation's owner."""
    mailbox = context.mailbox
    if mailbox.kind == MailboxKind.PERSONAL or organisation_id is None:
        return mailbox.owner_id
    return context.book.owners.get(organisation_id) or mailbox.owner_id


def add_email(mail: ParsedMail, match: Match, thread: str, status: str, content: bool) -> EmailMessage:
    """Add the e-mail row (with its body and participants only when it is a conversation)."""
    email = EmailMessage(
        message_id=mail.message_id,
        thread_id=thread,
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


def earlier_ids(mail: ParsedMail) -> list[str]:
    """Return the ids of the messages this one answers or refers to."""
    return [*mail.references, *([mail.in_reply_to] if mail.in_reply_to else [])]


def thread_of(mail: ParsedMail, threads: dict[str, str]) -> str:
    """Return the thread: that of a message it answers, else the first referenced id, else its own."""
    earlier = earlier_ids(mail)
    thread = next((threads[i] for i in earlier if i in threads), earlier[0] if earlier else mail.message_id)
    threads[mail.message_id] = thread
    return thread


def log_interaction(
    email: EmailMessage, contact_ids: list[int] | None = None, people: list[Contact] | None = None
) -> Interaction:
    """Create the e-mail interaction of a matched message (its summary is the subject only)."""
    interaction = Interaction(
        organisation_id=email.organisation_id,
        kind=InteractionKind.EMAIL,
        occurred_on=email.sent_at.astimezone(zone()).date(),
        staff_id=email.logged_by_id,
        summary=email.subject or "—",
    )
    if contact_ids:
        people = list(db.session.scalars(select(Contact).where(Contact.id.in_(contact_ids))))
    interaction.contacts = people or []
    db.session.add(interaction)
    email.interaction = interaction
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

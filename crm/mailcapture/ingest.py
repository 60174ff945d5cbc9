"""Turn fetched messages into captured e-mails: once per mailbox, once overall, logged when they match.

A message is recorded once per mailbox (unique mailbox and Message-ID) and once overall (unique
Message-ID), so two runs, or two mailboxes holding the same message, never log it twice. A message matched
to an organisation becomes an e-mail interaction; an unmatched one waits for review (from the shared
mailbox or the dropbox; from a personal mailbox it is not kept at all). Auto-replies, bounces and
invitations are noted without their content and never logged as conversations.

A batch costs a handful of queries: what the mailbox and the CRM already hold, the threads and the
contacts are read for the whole batch; the interactions go through the ORM (history, webhooks and the
organisations' last interaction date follow their flush), the e-mail and mailbox rows, which no hook
watches, are inserted with one statement each.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import insert, select
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

OUTCOMES = {EmailStatus.LOGGED: "logged", EmailStatus.REVIEW: "review", EmailStatus.IGNORED: "ignored"}


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
    seen_here: set[str]  # message ids this mailbox already holds
    known: dict[str, int | None]  # message id -> the e-mail already recorded (None: new in this batch)
    threads: dict[str, str]  # message id -> thread, for the ids the batch refers to (and its own)
    matches: dict[str, Match]
    contacts: dict[int, Contact]
    emails: list[dict[str, Any]] = field(default_factory=list)  # the new e-mail rows
    interactions: dict[str, Interaction] = field(default_factory=dict)  # message id -> its interaction
    uids: list[tuple[str, int]] = field(default_factory=list)  # (message id, UID) new to the mailbox


def ingest_batch(mailbox: Mailbox, book: AddressBook, batch: list[Fetched], tally: Tally) -> None:
    """Record a batch of messages of one mailbox: a handful of queries and one flush for the whole batch."""
    parsed = [(item.uid, parse(item.raw, item.arrived)) for item in batch]
    context = prepare(mailbox, book, [mail for _uid, mail in parsed])
    for uid, mail in parsed:
        tally.add(ingest_one(context, uid, mail))
    write(context)


def prepare(mailbox: Mailbox, book: AddressBook, mails: list[ParsedMail]) -> Batch:
    """Read what the batch needs: the ids already recorded, the threads, the matches and their contacts."""
    ids = {mail.message_id for mail in mails}
    here = select(MailboxMessage.message_id).where(
        MailboxMessage.mailbox_id == mailbox.id, MailboxMessage.message_id.in_(ids)
    )
    recorded = select(EmailMessage.message_id, EmailMessage.id).where(EmailMessage.message_id.in_(ids))
    matches = {mail.message_id: book.match(mail, mailbox) for mail in mails}
    wanted = {c for m in matches.values() for c in m.contact_ids}
    contacts = db.session.scalars(select(Contact).where(Contact.id.in_(wanted))) if wanted else []
    return Batch(
        mailbox, book, set(db.session.scalars(here)), dict(db.session.execute(recorded).all()),
        threads_of(mails), matches, {c.id: c for c in contacts},
    )  # fmt: skip


def threads_of(mails: list[ParsedMail]) -> dict[str, str]:
    """Return the threads of the messages the batch answers or refers to."""
    earlier = {ref for mail in mails for ref in earlier_ids(mail)}
    if not earlier:
        return {}
    query = select(EmailMessage.message_id, EmailMessage.thread_id).where(
        EmailMessage.message_id.in_(earlier)
    )
    return {message_id: thread for message_id, thread in db.session.execute(query)}


def ingest_one(context: Batch, uid: int, mail: ParsedMail) -> str:
    """Note one message of the batch; return what became of it."""
    if mail.message_id in context.seen_here:
        return "known"
    outcome = "known"
    if mail.message_id not in context.known:
        match = context.matches[mail.message_id]
        if not keeps(context.mailbox, mail, match):
            return "skipped"  # a personal mailbox's message with nobody we know: nothing is stored
        outcome = record(context, mail, match)
    context.seen_here.add(mail.message_id)
    context.uids.append((mail.message_id, uid))
    return outcome


def keeps(mailbox: Mailbox, mail: ParsedMail, match: Match) -> bool:
    """Return whether the message is kept: always from the shared mailbox, else only with a known contact."""
    if mailbox.kind == MailboxKind.SHARED or match.dropbox_user_id is not None:
        return True
    return bool(match.contact_ids) and mail.category == EmailCategory.CONVERSATION


def record(context: Batch, mail: ParsedMail, match: Match) -> str:
    """Note a new e-mail: logged as an interaction, waiting for review, or noted as not a conversation."""
    thread = thread_of(mail, context.threads)
    if mail.category != EmailCategory.CONVERSATION:
        row = email_row(mail, match, thread, status=EmailStatus.IGNORED, content=False)
    else:
        status = EmailStatus.LOGGED if match.organisation_id else EmailStatus.REVIEW
        row = email_row(mail, match, thread, status=status, content=True)
        row["logged_by_id"] = match.dropbox_user_id
        if mail.attachments:
            row["attachments"] = store_attachments(mail.attachments, row["logged_by_id"])
        if status == EmailStatus.LOGGED:
            row["logged_by_id"] = row["logged_by_id"] or owner_of(context, match.organisation_id)
            people = [context.contacts[c] for c in match.contact_ids if c in context.contacts]
            context.interactions[mail.message_id] = new_interaction(row, people)
    context.emails.append(row)
    context.known[mail.message_id] = None
    return OUTCOMES[row["status"]]


def write(context: Batch) -> None:
    """Flush the interactions (their hooks run), then insert the batch's e-mail and mailbox rows."""
    db.session.flush()
    for row in context.emails:
        interaction = context.interactions.get(row["message_id"])
        row["interaction_id"] = interaction.id if interaction is not None else None
    if context.emails:
        # A plain executemany then one SELECT of the ids: with RETURNING the rows would go as one VALUES
        # list of thousands of placeholders, which the PostgreSQL driver parses in Python on every batch.
        db.session.execute(insert(EmailMessage.__table__), context.emails)
        new = [row["message_id"] for row in context.emails]
        ids = select(EmailMessage.message_id, EmailMessage.id).where(EmailMessage.message_id.in_(new))
        context.known.update(db.session.execute(ids).all())
    if context.uids:
        rows = [
            {"mailbox_id": context.mailbox.id, "message_id": m, "uid": uid, "email_id": context.known[m]}
            for m, uid in context.uids
        ]
        db.session.execute(insert(MailboxMessage.__table__), rows)


def owner_of(context: Batch, organisation_id: int | None) -> int:
    """Return who an e-mail is logged as: a personal mailbox's owner, else the organisation's owner."""
    mailbox = context.mailbox
    if mailbox.kind == MailboxKind.PERSONAL or organisation_id is None:
        return mailbox.owner_id
    return context.book.owners.get(organisation_id) or mailbox.owner_id


def email_row(mail: ParsedMail, match: Match, thread: str, status: str, content: bool) -> dict[str, Any]:
    """Return the e-mail's row (with its body and participants only when it is a conversation)."""
    return {
        "message_id": mail.message_id,
        "thread_id": thread,
        "in_reply_to": mail.in_reply_to,
        "references": " ".join(mail.references)[:4000] or None,
        "status": status,
        "category": mail.category,
        "direction": match.direction,
        "sent_at": mail.sent_at,
        "subject": mail.subject,
        "from_address": mail.sender.address[:254],
        "from_name": mail.sender.name[:200],
        "participants": participants(mail) if content else [],
        "excerpt": mail.excerpt if content else "",
        "body_text": mail.text if content else "",
        "attachments": [],
        "organisation_id": match.organisation_id if content else None,
        "logged_by_id": None,
    }


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


def new_interaction(email: dict[str, Any], people: list[Contact]) -> Interaction:
    """Add the e-mail interaction of a matched message (its summary is the subject only)."""
    interaction = Interaction(
        organisation_id=email["organisation_id"],
        kind=InteractionKind.EMAIL,
        occurred_on=email["sent_at"].astimezone(zone()).date(),
        staff_id=email["logged_by_id"],
        summary=email["subject"] or "—",
    )
    interaction.contacts = people
    db.session.add(interaction)
    return interaction


def log_interaction(email: EmailMessage, contact_ids: list[int]) -> Interaction:
    """Log a recorded e-mail as an interaction with these contacts (the review queue's assignment)."""
    query = select(Contact).where(Contact.id.in_(contact_ids))
    people = list(db.session.scalars(query)) if contact_ids else []
    fields = {"organisation_id": email.organisation_id, "sent_at": email.sent_at,
              "logged_by_id": email.logged_by_id, "subject": email.subject}  # fmt: skip
    email.interaction = new_interaction(fields, people)
    email.status = EmailStatus.LOGGED
    return email.interaction


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

"""Mailboxes, personal dropbox tags and the review queue's actions (services flush, never commit)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from crm.crypto import decrypt, encrypt, new_token, token_hash
from crm.documents import remove_after_commit, stored_file
from crm.errors import UserError
from crm.extensions import db
from crm.mailcapture.ingest import log_interaction
from crm.models import Contact, Document, EmailMessage, Mailbox, PersonalToken, User
from crm.models.mailcapture import EmailStatus

MAILBOX_FIELDS = (
    "name",
    "kind",
    "address",
    "owner_id",
    "host",
    "port",
    "use_tls",
    "folder",
    "username",
    "active",
)


def save_mailbox(mailbox: Mailbox | None, values: dict[str, Any], password: str | None) -> Mailbox:
    """Create or change a mailbox; a new password is stored encrypted, an empty one keeps the old."""
    if mailbox is None:
        if not password:
            raise UserError(_("Enter the mailbox password."), field="password")
        mailbox = Mailbox(last_uid=0, failures=0)
        db.session.add(mailbox)
    for name in MAILBOX_FIELDS:
        setattr(mailbox, name, values[name])
    mailbox.address = mailbox.address.strip().lower()
    if password:
        mailbox.password_encrypted = encrypt(password)
    mailbox.next_attempt_at = None  # a changed setting is tried at the next run
    db.session.flush()
    return mailbox


def mailbox_password(mailbox: Mailbox) -> str:
    """Return a mailbox's password in clear (for the IMAP login only)."""
    return decrypt(mailbox.password_encrypted)


# --- personal tokens: the dropbox tag (and the calendar feed) -------------------------------------------


def issue_token(user_id: int, purpose: str) -> str:
    """Give the user a new secret for the purpose (the old one stops working); return it."""
    revoke_token(user_id, purpose)
    token = new_token()
    db.session.add(
        PersonalToken(
            user_id=user_id, purpose=purpose, token_hash=token_hash(token), token_encrypted=encrypt(token)
        )
    )
    db.session.flush()
    return token


def revoke_token(user_id: int, purpose: str) -> None:
    """Remove the user's secret for the purpose."""
    db.session.execute(
        delete(PersonalToken).where(PersonalToken.user_id == user_id, PersonalToken.purpose == purpose)
    )


def current_token(user_id: int, purpose: str) -> str | None:
    """Return the user's secret for the purpose, or None."""
    row = db.session.scalar(
        select(PersonalToken).where(PersonalToken.user_id == user_id, PersonalToken.purpose == purpose)
    )
    return decrypt(row.token_encrypted) if row is not None else None


def user_of_token(token: str, purpose: str) -> User | None:
    """Return the active user owning a secret, or None."""
    row = db.session.scalar(
        select(PersonalToken).where(
            PersonalToken.token_hash == token_hash(token), PersonalToken.purpose == purpose
        )
    )
    user = db.session.get(User, row.user_id) if row is not None else None
    return user if user is not None and user.active else None


def shared_mailbox() -> Mailbox | None:
    """Return the first active shared mailbox (the dropbox lives on it)."""
    query = select(Mailbox).where(Mailbox.kind == "shared", Mailbox.active.is_(True)).order_by(Mailbox.id)
    return db.session.scalars(query).first()


def dropbox_address(user_id: int) -> str | None:
    """Return the user's dropbox address (plus-address on the shared mailbox), or None."""
    token, mailbox = current_token(user_id, "dropbox"), shared_mailbox()
    if token is None or mailbox is None:
        return None
    local, _, host = mailbox.address.partition("@")
    return f"{local}+{token}@{host}"


# --- the review queue -------------------------------------------------------------------------------------


def review_count() -> int:
    """Return how many e-mails wait for review."""
    return db.session.scalar(select(func.count()).where(EmailMessage.status == EmailStatus.REVIEW)) or 0


def waiting_email(email_id: int) -> EmailMessage:
    """Return an e-mail still waiting for review; UserError when someone handled it already."""
    email = db.session.get(EmailMessage, email_id)
    if email is None or email.status != EmailStatus.REVIEW:
        raise UserError(_("This e-mail is no longer waiting for review."))
    return email


def assign(email_id: int, organisation_id: int, contact_ids: list[int], user_id: int) -> EmailMessage:
    """Log a waiting e-mail as an interaction of an organisation (by whoever assigns it)."""
    email = waiting_email(email_id)
    email.organisation_id = organisation_id
    email.logged_by_id = email.logged_by_id or user_id
    log_interaction(email, contact_ids)
    return email


def create_sender_contact(
    email_id: int, organisation_id: int, first: str, last: str, user_id: int
) -> Contact:
    """Create the contact from the sender's address and log the e-mail with them, in one step."""
    email = waiting_email(email_id)
    address = email.from_address if email.direction == "inbound" else first_outside(email)
    contact = Contact(organisation_id=organisation_id, first_name=first, last_name=last, email=address)
    db.session.add(contact)
    db.session.flush()
    assign(email_id, organisation_id, [contact.id], user_id)
    return contact


def first_outside(email: EmailMessage) -> str | None:
    """Return the first recipient of an outbound e-mail."""
    return next((p["address"] for p in email.participants if p["role"] in ("to", "cc")), None)


def contacts_in(email_id: int, organisation_id: int) -> list[int]:
    """Return the organisation's contacts among an e-mail's participants."""
    email = db.session.get(EmailMessage, email_id)
    addresses = {p["address"] for p in (email.participants if email else [])}
    if not addresses:
        return []
    query = select(Contact.id).where(
        Contact.organisation_id == organisation_id, func.lower(Contact.email).in_(addresses)
    )
    return list(db.session.scalars(query))


def discard(email_id: int) -> None:
    """Throw a waiting e-mail away: its content goes, its Message-ID stays so it never comes back."""
    email = waiting_email(email_id)
    email.status = EmailStatus.DISCARDED
    drop_content(email)


def drop_content(email: EmailMessage) -> None:
    """Remove an e-mail's body, participants and stored attachments (files too, once committed)."""
    for entry in email.attachments or []:
        document = db.session.get(Document, entry["document_id"]) if entry.get("document_id") else None
        if document is not None:
            remove_after_commit(stored_file(document.storage_name))  # a rolled-back discard keeps the file
            db.session.delete(document)
    email.body_text, email.excerpt, email.participants, email.attachments = "", "", [], []


def split_name(display: str, address: str) -> tuple[str, str]:
    """Return a first and last name guessed from a display name (else from the address)."""
    words = display.split() or [address.split("@")[0]]
    return words[0][:80], " ".join(words[1:])[:80]

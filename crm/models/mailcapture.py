"""Captured e-mail: the mailboxes read over IMAP, the messages taken from them, and personal secret tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped, utcnow


class MailboxKind(StrEnum):
    """Whose mailbox: the PMU's shared one or one staff member's."""

    SHARED = "shared"
    PERSONAL = "personal"


class EmailStatus(StrEnum):
    """Where a captured message stands."""

    LOGGED = "logged"  # an interaction of an organisation
    REVIEW = "review"  # no match yet: waits in the review queue
    DISCARDED = "discarded"  # someone looked and threw it away (body and participants dropped)
    IGNORED = "ignored"  # an auto-reply, a bounce or an invitation: not a conversation


class EmailCategory(StrEnum):
    """What kind of message it is."""

    CONVERSATION = "conversation"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    CALENDAR = "calendar"


class Mailbox(Timestamped, Base):
    """An IMAP mailbox the CRM reads; the password is kept encrypted (Fernet, key from the environment)."""

    __tablename__ = "mailboxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10), default=MailboxKind.SHARED)
    address: Mapped[str] = mapped_column(String(254))  # e.g. pmu@proyecto.pe: dropbox pmu+tag@proyecto.pe
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    host: Mapped[str] = mapped_column(String(200))
    port: Mapped[int] = mapped_column(Integer, default=993)
    use_tls: Mapped[bool] = mapped_column(Boolean, default=True)
    folder: Mapped[str] = mapped_column(String(200), default="INBOX")
    username: Mapped[str] = mapped_column(String(254))
    password_encrypted: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    owner = relationship("User", lazy="joined")


class EmailMessage(Timestamped, Base):
    """One e-mail, once whatever mailboxes it was found in (unique Message-ID): at most one interaction."""

    __tablename__ = "email_messages"
    __table_args__ = (
        UniqueConstraint("message_id"),
        Index("ix_email_messages_status_sent_at", "status", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(250))
    thread_id: Mapped[str] = mapped_column(String(250), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(250))
    references: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    category: Mapped[str] = mapped_column(String(15), default=EmailCategory.CONVERSATION)
    direction: Mapped[str] = mapped_column(String(10), default="inbound")  # inbound or outbound
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    subject: Mapped[str] = mapped_column(String(300), default="")
    from_address: Mapped[str] = mapped_column(String(254), default="")
    from_name: Mapped[str] = mapped_column(String(200), default="")
    participants: Mapped[list] = mapped_column(JSON, default=list)  # [{"role", "address", "name"}]
    excerpt: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list] = mapped_column(JSON, default=list)  # [{"name", "size", "document_id", "note"}]
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"), index=True
    )
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    organisation = relationship("Organisation")
    interaction = relationship("Interaction")


class MailboxMessage(Base):
    """A message seen in one mailbox (its UID there): one row per mailbox and Message-ID."""

    __tablename__ = "mailbox_messages"
    __table_args__ = (UniqueConstraint("mailbox_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(250))
    uid: Mapped[int] = mapped_column(BigInteger)
    email_id: Mapped[int | None] = mapped_column(
        ForeignKey("email_messages.id", ondelete="CASCADE"), index=True
    )
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    email = relationship("EmailMessage")


class PersonalToken(Base):
    """A user's secret for the mail dropbox or the calendar feed: looked up by hash, shown decrypted."""

    __tablename__ = "personal_tokens"
    __table_args__ = (UniqueConstraint("user_id", "purpose"), UniqueConstraint("token_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(10))  # dropbox or calendar
    token_hash: Mapped[str] = mapped_column(String(64))
    token_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

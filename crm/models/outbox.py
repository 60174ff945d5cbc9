"""The transactional outbox of e-mails, its delivery state, and per-user opt-outs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.models.base import Base, Timestamped, utcnow

MAIL_KINDS = (
    "follow_up_assigned",
    "referral",
    "daily_digest",
    "letter_overdue",
    "liaison_review",
    "manager_weekly",
    "event_invitation",  # an invitation to an event (crm/events/invite.py); recipient: who sent it
    "event_registration",  # confirmation of a registration, with the .ics; recipient: the organiser
    "contact_mail",  # composed to an organisation's contact (crm/compose); recipient: who wrote it
    "webhook_disabled",
)
# pending: written, not yet on a queue · queued: an RQ job exists · claimed: a worker is sending
# sent · failed: gave up after the last retry · skipped: opted out or nothing to say
OUTBOX_STATUSES = ("pending", "queued", "claimed", "sent", "failed", "skipped")


class OutboxMessage(Timestamped, Base):
    """One e-mail to send, written in the same transaction as the change that causes it.

    The unique idempotency key (kind, recipient, subject entity, period) is the delivery
    log's guarantee: the same reminder can never be recorded, and so never sent, twice.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[str | None] = mapped_column(String(20))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    message_id: Mapped[str | None] = mapped_column(String(250))
    transport: Mapped[str | None] = mapped_column(String(10))  # smtp or stored
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("idempotency_key"),)

    recipient = relationship("User", lazy="joined")


class MailOptOut(Base):
    """A kind of e-mail a user chose not to receive."""

    __tablename__ = "mail_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)


class MetricSnapshot(Base):
    """Conversion figures of one group (sector, association, district) of a programme on a day."""

    __tablename__ = "metric_snapshots"
    __table_args__ = (UniqueConstraint("taken_on", "programme_id", "dimension", "group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_on: Mapped[date] = mapped_column(Date, index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(20), index=True)
    group_key: Mapped[str] = mapped_column(String(40))
    group_label: Mapped[str] = mapped_column(String(250))
    # reached[stage] = companies that ever reached that stage; contacted and loi for the headline rate.
    contacted: Mapped[int] = mapped_column(Integer, default=0)
    loi_signed: Mapped[int] = mapped_column(Integer, default=0)
    reached: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JobOutbox(Base):
    """A job that must not be lost, written in the transaction that asks for it (see crm/jobs.py).

    The row lives until a dispatcher hands the job to Redis: it is deleted in the transaction that
    enqueues it, so a row in this table is a job that Redis has not seen yet.
    """

    __tablename__ = "job_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(200))  # the job function's import path, as RQ stores it
    args: Mapped[list] = mapped_column(JSON, default=list)
    job_id: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

"""Webhook subscriptions of users and the delivery log of the events sent to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.crypto import encrypted
from crm.models.base import Base, Timestamped

WEBHOOK_EVENTS = (
    "organisation.created",
    "organisation.updated",
    "stage.moved",
    "letter.signed",
    "cofinance.materialised",
    "interaction.logged",
    "import.finished",
)
# pending: waiting for (another) attempt · sent: the receiver answered 2xx · failed: gave up
DELIVERY_STATUSES = ("pending", "sent", "failed")


class WebhookSubscription(Timestamped, Base):
    """A URL that receives signed POSTs for the events its owner chose."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    # The HMAC key; shown once at creation, kept (encrypted) because every signature needs it.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    secret = encrypted("secret_encrypted", "The HMAC signing key of the subscription.")
    events: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    owner = relationship("User")


class WebhookDelivery(Timestamped, Base):
    """One event for one subscription; its id travels as X-CRM-Webhook-Id on every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(36))
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    subscription = relationship("WebhookSubscription")

"""Helpers shared by the e-mail tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.mail.transport import message_id
from crm.models import OutboxMessage


def outbox(**filters) -> list[OutboxMessage]:
    """Return the outbox rows, optionally filtered by column values."""
    return list(db.session.scalars(select(OutboxMessage).filter_by(**filters).order_by(OutboxMessage.id)))


def by_recipient(messages) -> dict[str, object]:
    """Index received e-mails by their To address."""
    return {m["To"].addresses[0].addr_spec: m for m in messages}


def body(message, subtype: str = "plain") -> str:
    """Return the text (or HTML) part of a received e-mail."""
    return message.get_body(preferencelist=(subtype,)).get_content()


def copies_of(row: OutboxMessage, messages) -> list:
    """Return the received e-mails carrying the row's Message-ID (derived from its idempotency key)."""
    wanted = message_id(row.idempotency_key)
    return [m for m in messages if str(m["Message-ID"]).strip() == wanted]

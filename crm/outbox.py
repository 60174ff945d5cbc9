"""Write e-mails to the transactional outbox, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import select

from crm.extensions import db
from crm.models import MAIL_KINDS, OutboxMessage


def mail_key(kind: str, recipient_id: int, subject: str, period: str) -> str:
    """Return the idempotency key: one e-mail per kind, recipient, subject entity and period."""
    return f"{kind}:{recipient_id}:{subject}:{period}"[:200]


def queue_mail(
    kind: str,
    recipient_id: int,
    *,
    subject_type: str | None = None,
    subject_id: int | None = None,
    period: str = "-",
    payload: dict[str, Any] | None = None,
) -> OutboxMessage | None:
    """Add an outbox row unless the same key exists; it commits (or rolls back) with the caller."""
    if kind not in MAIL_KINDS:
        raise ValueError(f"unknown mail kind {kind}")
    key = mail_key(kind, recipient_id, f"{subject_type or '-'}:{subject_id or '-'}", period)
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
        return None
    message = OutboxMessage(
        kind=kind,
        recipient_id=recipient_id,
        idempotency_key=key,
        subject_type=subject_type,
        subject_id=subject_id,
        period=period,
        payload=payload or {},
        status="pending",
    )
    db.session.add(message)
    if has_app_context():
        g.outbox_written = True  # the after-commit hook tries to hand it to a worker at once
    return message

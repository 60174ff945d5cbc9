"""Write e-mails to the transactional outbox, in the caller's transaction, and wake a worker after commit.

The outbox row commits (or rolls back) with the change that causes the e-mail. After the commit, a hook
tries to enqueue the dispatcher job; if Redis is down the request still succeeds, the row stays
'pending' and the periodic dispatcher (every minute) hands it to a worker once Redis is back.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm.extensions import db
from crm.models import MAIL_KINDS, OutboxMessage, utcnow
from crm.sql import insert_ignoring

# Set while a dispatcher job is waiting to run, so that a burst of commits enqueues one dispatcher.
KICK_KEY = "crm:outbox:kick"
KICK_TTL_SECONDS = 60
INSERT_CHUNK = 1000


def mail_key(kind: str, recipient_id: int, subject: str, period: str) -> str:
    """Return the idempotency key: one e-mail per kind, recipient, subject entity and period."""
    return f"{kind}:{recipient_id}:{subject}:{period}"[:200]


def subject_key(subject_type: str | None, subject_id: int | None) -> str:
    """Return the subject-entity part of an idempotency key."""
    return f"{subject_type or '-'}:{subject_id or '-'}"


def mark_written() -> None:
    """Ask the after-commit hook to wake the dispatcher for this transaction."""
    if has_app_context():
        g.outbox_written = True


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
    key = mail_key(kind, recipient_id, subject_key(subject_type, subject_id), period)
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
    mark_written()  # the after-commit hook tries to hand it to a worker at once
    return message


def outbox_row(kind: str, recipient_id: int, period: str, payload: dict[str, Any], **subject: Any) -> dict:
    """Build one row for queue_mails (subject_type / subject_id optional)."""
    if kind not in MAIL_KINDS:
        raise ValueError(f"unknown mail kind {kind}")
    subject_type, subject_id = subject.get("subject_type"), subject.get("subject_id")
    stamp = utcnow()
    return {
        "kind": kind,
        "recipient_id": recipient_id,
        "idempotency_key": mail_key(kind, recipient_id, subject_key(subject_type, subject_id), period),
        "subject_type": subject_type,
        "subject_id": subject_id,
        "period": period,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "created_at": stamp,
        "updated_at": stamp,
    }


def insert_ignoring_duplicates(rows: list[dict]) -> int:
    """INSERT ... ON CONFLICT (idempotency_key) DO NOTHING; return how many rows were new."""
    table = OutboxMessage.__table__
    return len(insert_ignoring(table, ["idempotency_key"], rows, table.c.id))


def queue_mails(rows: list[dict]) -> int:
    """Write many outbox rows in the caller's transaction; keys already there are skipped, race-free."""
    added = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        added += insert_ignoring_duplicates(rows[start : start + INSERT_CHUNK])
    if rows:
        mark_written()
    return added


def kick_dispatcher(app: Flask) -> bool:
    """Enqueue the dispatcher unless one is already waiting; Redis errors are logged, never raised."""
    from crm.mail.jobs import dispatch_outbox  # imported here: the mail jobs import this module
    from crm.redis_conn import get_redis

    try:
        connection = get_redis(app)
        if connection.set(KICK_KEY, "1", nx=True, ex=KICK_TTL_SECONDS):
            timeout = app.config["MAIL_JOB_TIMEOUT"]
            # At the front: a follow-up e-mail should not wait behind the morning's digests to be dispatched.
            dispatch_outbox.enqueue(
                connection=connection, queue_name="mail", job_timeout=timeout, at_front=True
            )
        return True
    except (RedisError, OSError) as exc:
        # The row stays pending; the periodic dispatcher sends it once Redis answers again.
        app.logger.warning("outbox: could not wake the dispatcher (%s); mail stays pending", exc)
        return False


def after_commit(_session: Session) -> None:
    """After a commit that wrote outbox rows, try to hand them to a worker at once."""
    if has_app_context() and g.pop("outbox_written", False):
        kick_dispatcher(current_app._get_current_object())  # type: ignore[attr-defined]


def after_rollback(_session: Session) -> None:
    """Forget the rows of a rolled-back transaction: they no longer exist."""
    if has_app_context():
        g.pop("outbox_written", None)


def init_app(app: Flask) -> None:
    """Register the after-commit hook once per process."""
    if not event.contains(Session, "after_commit", after_commit):
        event.listen(Session, "after_commit", after_commit)
        event.listen(Session, "after_rollback", after_rollback)

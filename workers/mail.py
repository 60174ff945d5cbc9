"""E-mail jobs: the outbox dispatcher and the send job (see crm/mail/ for the protocol)."""

from __future__ import annotations

from rq import get_current_job

from crm.clock import now
from crm.extensions import db
from crm.mail.delivery import deliver
from crm.mail.dispatch import dispatch
from crm.models import utcnow
from crm.outbox import KICK_KEY
from crm.redis_conn import get_redis


def dispatch_outbox() -> int:
    """Turn pending (and abandoned) outbox rows into send jobs on the 'mail' queue."""
    job = get_current_job()
    connection = job.connection if job is not None else get_redis()
    connection.delete(KICK_KEY)  # commits from now on wake another dispatcher
    handed = dispatch(connection, utcnow())
    db.session.commit()
    return handed


def send_outbox_batch(message_ids: list[int]) -> dict[str, object]:
    """Claim, send and mark sent each message of the batch; retried by RQ when SMTP fails."""
    job = get_current_job()
    outcome = deliver([int(i) for i in message_ids], job.id if job is not None else None)
    return {**outcome.summary(), "at": now().isoformat()}


def send_outbox_message(message_id: int) -> dict[str, object]:
    """Send one outbox message (same protocol as a batch of one)."""
    return send_outbox_batch([message_id])

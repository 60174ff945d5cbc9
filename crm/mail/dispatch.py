"""Turn outbox rows that wait for a worker into RQ jobs on the 'mail' queue.

Due rows: 'pending' (never handed over), 'claimed' by a sender whose heartbeat stopped for
CLAIM_TIMEOUT_SECONDS (it died), and orphaned 'queued' rows. While a row is 'queued', its claim_token column
holds the id of the RQ job that will send it; once the row has waited MAIL_RETRY_GRACE_SECONDS, the
dispatcher asks Redis about that job and hands the row to a new job if it is gone (Redis restarted empty),
ended without sending, 'started' by a worker whose heartbeat stopped (killed after taking the job, before
claiming), or a retry still 'scheduled' MAIL_RETRY_GRACE_SECONDS after it was due: RQ's scheduler, which
runs inside a worker, died with it, and a new worker takes its lock only after RQ's maintenance interval
(ten minutes). Waiting jobs, retries in their backoff and running jobs are left alone.

Job ids derive from the rows ('mail-<id>' for one), and an id whose job is alive is not enqueued again, so a
double dispatch does not create a second job; even if it did, the claim in crm/mail/delivery.py lets only
one of them send (a late retry of a replaced job finds its rows sent and does nothing).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from rq.utils import utcparse
from sqlalchemy import and_, func, or_, select, update

from crm.extensions import db
from crm.mail.delivery import stale_before
from crm.models import OutboxMessage

SELECT_CHUNK = 1000
URGENT_KINDS = ("follow_up_assigned", "referral")  # someone just acted: these jump ahead of the digests
BULK_KINDS = ("event_invitation",)  # sent to many at once: throttled to MAIL_BULK_PER_MINUTE
MAX_ROUNDS = 200  # 200,000 rows per run at most; the next run (a minute later) takes the rest


def due(now: datetime):
    """SQL condition: the row was never handed over, or its sender died."""
    stale = and_(OutboxMessage.status == "claimed", OutboxMessage.claimed_at < stale_before(now))
    return or_(OutboxMessage.status == "pending", stale)


def bulk_budget(now: datetime) -> int:
    """Return how many bulk e-mails may be handed over now: MAIL_BULK_PER_MINUTE less those in flight.

    In flight: on a queue, being sent, or sent in the last minute. The rest waits for a later dispatcher
    run (every minute), so a 1,000-person invitation leaves at the pace the SMTP provider allows.
    """
    busy = or_(
        OutboxMessage.status.in_(("queued", "claimed")),
        and_(OutboxMessage.status == "sent", OutboxMessage.sent_at >= now - timedelta(minutes=1)),
    )
    query = select(func.count(OutboxMessage.id)).where(OutboxMessage.kind.in_(BULK_KINDS), busy)
    return max(0, current_app.config["MAIL_BULK_PER_MINUTE"] - int(db.session.scalar(query) or 0))


def due_rows(now: datetime, limit: int = SELECT_CHUNK) -> list[tuple[int, str]]:
    """Return (id, kind) of due rows, oldest first; bulk e-mails only within their per-minute budget."""
    columns = select(OutboxMessage.id, OutboxMessage.kind).where(due(now)).order_by(OutboxMessage.id)
    rows = db.session.execute(columns.where(OutboxMessage.kind.not_in(BULK_KINDS)).limit(limit)).all()
    budget = min(bulk_budget(now), limit)
    if budget:
        rows += db.session.execute(columns.where(OutboxMessage.kind.in_(BULK_KINDS)).limit(budget)).all()
    return [(row.id, row.kind) for row in rows]


def retry_pending(connection: Redis, ident: str, origin: bytes | None, now: datetime) -> bool:
    """Return whether a scheduled retry is still in its backoff, or late by less than the grace period."""
    registry = ScheduledJobRegistry.key_template.format((origin or b"").decode())
    due_at = connection.zscore(registry, ident)
    return due_at is not None and due_at + current_app.config["MAIL_RETRY_GRACE_SECONDS"] > now.timestamp()


def job_alive(connection: Redis, ident: str | None, now: datetime, retries: bool = True) -> bool:
    """Return whether the job waits on its queue, waits for a live scheduler, or runs with a recent heartbeat.

    A 'queued' job that is not on its queue was taken by a worker that died before starting it (RQ keeps
    it in an intermediate list until its own maintenance runs): it counts as lost. A retry in its backoff
    counts only if `retries`.
    """
    if not ident:
        return False
    status, beat, origin = connection.hmget(Job.key_for(ident), "status", "last_heartbeat", "origin")
    if status == b"queued":
        queue_key = Queue.redis_queue_namespace_prefix + (origin or b"").decode()
        return connection.lpos(queue_key, ident) is not None
    if status == b"scheduled":
        return retries and retry_pending(connection, ident, origin, now)
    if status == b"deferred":
        return True
    return status == b"started" and bool(beat) and utcparse(beat.decode()) >= stale_before(now)


def checked_before(now: datetime) -> datetime:
    """Return the moment before which a 'queued' row's job is worth a look in Redis."""
    return now - timedelta(seconds=current_app.config["MAIL_RETRY_GRACE_SECONDS"])


def orphans(connection: Redis, now: datetime) -> list[tuple[int, str]]:
    """Return (id, kind) of the 'queued' rows that waited long and whose job is no longer alive."""
    query = (
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.claim_token)
        .where(OutboxMessage.status == "queued", OutboxMessage.updated_at < checked_before(now))
        .order_by(OutboxMessage.id)
    )
    verdicts: dict[str | None, bool] = {}
    lost = []
    for row_id, kind, ident in db.session.execute(query):
        if ident not in verdicts:
            verdicts[ident] = job_alive(connection, ident, now)
        if not verdicts[ident]:
            lost.append((row_id, kind))
    return lost


def job_id(ids: list[int]) -> str:
    """Return the job id of a batch: the same rows always give the same id (at most 32 characters)."""
    if len(ids) == 1:
        return f"mail-{ids[0]}"
    digest = hashlib.sha1(",".join(map(str, ids)).encode(), usedforsecurity=False).hexdigest()[:8]
    return f"mail-{ids[0]}-{len(ids)}-{digest}"


def enqueue_send(connection: Redis, ids: list[int], now: datetime, at_front: bool = False) -> str:
    """Enqueue one send job for the rows unless their job waits or runs; return the job's id.

    A retry of the same rows in its backoff does not count: rows waiting for a retry stay 'queued' and
    never come here, so these were given back after a database error or their sender died. They go now;
    the retry, when it runs, finds them sent.
    """
    ident = job_id(ids)
    if job_alive(connection, ident, now, retries=False):
        return ident
    if connection.exists(Job.key_for(ident)):
        ident = f"{ident}-{secrets.token_hex(2)}"  # never reuse a dead job's id: RQ may still clean it up
    from crm.mail.jobs import send_outbox_batch  # the job module imports this one

    send_outbox_batch.enqueue(ids, connection=connection, job_id=ident, at_front=at_front)
    return ident


def mark_queued(ids: list[int], ident: str, now: datetime) -> None:
    """Record the rows' job (skipping rows a worker claimed meanwhile)."""
    waiting = or_(OutboxMessage.status.in_(("pending", "queued")), due(now))
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), waiting)
        .values(status="queued", claim_token=ident, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def hand_over(connection: Redis, rows: list[tuple[int, str]], now: datetime) -> int:
    """Enqueue the rows in batches (immediate notices at the queue's front) and record each job; COMMIT."""
    size = max(1, current_app.config["MAIL_BATCH_SIZE"])
    urgent = [row_id for row_id, kind in rows if kind in URGENT_KINDS]
    routine = [row_id for row_id, kind in rows if kind not in URGENT_KINDS]
    for ids, at_front in ((routine, False), (urgent, True)):
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            ident = enqueue_send(connection, batch, now, at_front)
            mark_queued(batch, ident, now)  # after the enqueue: if Redis failed, the rows stay pending
    db.session.commit()  # checkpoint: these rows are on a queue
    return len(rows)


def dispatch(connection: Redis, now: datetime) -> int:
    """Hand every due or orphaned row to a send job; return how many rows were handed over."""
    handed = hand_over(connection, orphans(connection, now), now)
    previous = None
    for _round in range(MAX_ROUNDS):
        rows = due_rows(now)
        db.session.commit()  # checkpoint: end the read before talking to Redis
        if not rows or rows == previous:
            break
        handed += hand_over(connection, rows, now)
        previous = rows
    return handed

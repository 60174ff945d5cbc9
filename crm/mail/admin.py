"""What administrators see of the outbox and the RQ queues, and how they requeue failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis import Redis
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import Select, func, select, update

from crm.extensions import db
from crm.jobs import QUEUES, queue
from crm.models import OUTBOX_STATUSES, OutboxMessage, utcnow
from crm.outbox import mark_written

FAILED_JOBS_SHOWN = 50


def status_counts() -> dict[str, int]:
    """Count outbox rows per status, in SQL (every status listed, zero included)."""
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    counts = {status: 0 for status in OUTBOX_STATUSES}
    counts.update({status: n for status, n in db.session.execute(query)})
    return counts


def messages(status: str | None) -> Select:
    """Select outbox rows, newest first, optionally of one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in OUTBOX_STATUSES:
        query = query.where(OutboxMessage.status == status)
    return query


def requeue_delivery(message_id: int) -> bool:
    """Give a failed delivery a fresh set of tries; flush; return whether it was failed."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "failed")
        .values(status="pending", attempts=0, claim_token=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    mark_written()  # the after-commit hook wakes the dispatcher
    return True


@dataclass
class FailedJob:
    """A job RQ gave up on."""

    id: str
    queue: str
    func: str
    ended_at: datetime | None
    error: str


def last_line(text: str | None) -> str:
    """Return the last non-empty line of a traceback."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def describe(job: Job, queue_name: str) -> FailedJob:
    """Summarise a failed job for the page."""
    result = job.latest_result()
    error = last_line(result.exc_string if result is not None else None)
    return FailedJob(job.id, queue_name, job.func_name or "?", job.ended_at, error)


def failed_jobs(connection: Redis) -> list[FailedJob]:
    """Return the newest failed jobs of every queue (raises RedisError when Redis is down)."""
    found: list[FailedJob] = []
    for name in QUEUES:
        registry = FailedJobRegistry(queue=queue(connection, name))
        ids = registry.get_job_ids(0, FAILED_JOBS_SHOWN - 1)
        jobs = Job.fetch_many(ids, connection=connection)
        found += [describe(job, name) for job in jobs if job is not None]
    return found


def requeue_job(connection: Redis, queue_name: str, job_id: str) -> bool:
    """Put a failed job back on its queue; return False if it is not a failed job of that queue."""
    if queue_name not in QUEUES:
        return False
    registry = FailedJobRegistry(queue=queue(connection, queue_name))
    if job_id not in registry.get_job_ids():
        return False
    registry.requeue(job_id)
    return True


def counts_page_context(status: str | None) -> dict[str, Any]:
    """Return the figures shown above the mail list."""
    return {"counts": status_counts(), "status": status if status in OUTBOX_STATUSES else None}

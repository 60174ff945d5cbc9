"""The conversion snapshot jobs (on demand and nightly), their durable start and their progress."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import exists, select

from crm import jobs
from crm.clock import now, today
from crm.extensions import db
from crm.metrics.services import compute_snapshots
from crm.models import MetricSnapshot

JOB_ID = re.compile(r"^metrics-\d{4}-\d{2}-\d{2}$")
LIVE = {"queued", "started", "scheduled", "deferred"}


@dataclass
class Progress:
    """What the progress page shows."""

    job_id: str
    status: str
    done: int
    total: int
    rows: int | None
    error: str | None

    @property
    def finished(self) -> bool:
        """Return whether the job stopped (done or failed)."""
        return self.status not in LIVE


def job_id_for(day: date) -> str:
    """Return the fixed id of a day's job: two clicks share one job."""
    return f"metrics-{day.isoformat()}"


def report_progress(done: int, total: int) -> None:
    """Store the progress in the job's meta, for the progress page."""
    current = get_current_job()
    if current is not None:
        current.meta["progress"] = [done, total]
        current.save_meta()


@jobs.job(queue="reports", timeout=1800, result_ttl=24 * 3600, failure_ttl=24 * 3600)
def compute_metric_snapshots(on_date: str | date | None = None) -> int:
    """Compute and store the snapshot of a day (default today); return the number of groups."""
    on = on_date if isinstance(on_date, date) else date.fromisoformat(on_date) if on_date else today()
    return compute_snapshots(on, progress=report_progress)


@jobs.job(queue="reports", timeout=1800)
def run_due_metric_snapshots() -> int:
    """Take tonight's snapshot once the local METRICS_HOUR is reached, if not taken yet today."""
    if now().hour < current_app.config["METRICS_HOUR"]:
        return 0
    if db.session.scalar(select(exists().where(MetricSnapshot.taken_on == today()))):
        return 0
    return compute_metric_snapshots(today())


def running(connection: Redis, ident: str) -> bool:
    """Return whether the job waits or runs (False when Redis does not answer: the outbox decides)."""
    try:
        return jobs.alive(connection, ident)
    except (RedisError, OSError):
        return False


def start(connection: Redis, day: date) -> str:
    """Start the day's snapshot unless it is already waiting or running; return the job id.

    The start is written to the job outbox with the request: if Redis does not answer now, the snapshot is
    computed once it does.
    """
    ident = job_id_for(day)
    if not running(connection, ident) and not jobs.waiting(ident):
        compute_metric_snapshots.start(day.isoformat(), job_id=ident)
    return ident


def progress(connection: Redis, ident: str) -> Progress | None:
    """Return the job's progress, or None for an unknown or malformed id."""
    if not JOB_ID.match(ident):
        return None
    try:
        job = Job.fetch(ident, connection=connection)
    except NoSuchJobError:
        return Progress(ident, "queued", 0, 0, None, None) if jobs.waiting(ident) else None
    raw = job.get_status(refresh=False)
    status = str(getattr(raw, "value", raw) or "queued")
    done, total = (job.meta.get("progress") or [0, 0])[:2]
    result = job.return_value() if status == "finished" else None
    failure = job.latest_result() if status == "failed" else None
    error = (failure.exc_string or "").strip().splitlines()[-1:] if failure is not None else None
    return Progress(ident, status, int(done), int(total), result, error[0] if error else None)

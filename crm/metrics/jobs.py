"""Start the snapshot job on the 'reports' queue and read its progress."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job

from workers.queues import enqueue

JOB_FUNC = "workers.metrics.compute_metric_snapshots"
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


def start(connection: Redis, day: date) -> str:
    """Enqueue the day's snapshot unless it is already waiting or running; return the job id."""
    ident = job_id_for(day)
    try:
        if Job.fetch(ident, connection=connection).get_status(refresh=False) in LIVE:
            return ident
    except NoSuchJobError:
        pass
    enqueue(
        connection,
        JOB_FUNC,
        day.isoformat(),
        queue_name="reports",
        job_id=ident,
        job_timeout=1800,
        result_ttl=24 * 3600,
        failure_ttl=24 * 3600,
    )
    return ident


def progress(connection: Redis, ident: str) -> Progress | None:
    """Return the job's progress, or None for an unknown or malformed id."""
    if not JOB_ID.match(ident):
        return None
    try:
        job = Job.fetch(ident, connection=connection)
    except NoSuchJobError:
        return None
    raw = job.get_status(refresh=False)
    status = str(getattr(raw, "value", raw) or "queued")
    done, total = (job.meta.get("progress") or [0, 0])[:2]
    result = job.return_value() if status == "finished" else None
    failure = job.latest_result() if status == "failed" else None
    error = (failure.exc_string or "").strip().splitlines()[-1:] if failure is not None else None
    return Progress(ident, status, int(done), int(total), result, error[0] if error else None)

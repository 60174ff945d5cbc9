"""The heartbeat job: the scheduler and a worker note that they are alive (shown on the System page)."""

from __future__ import annotations

from rq import get_current_job

from crm.clock import now
from crm.jobs import job

HEARTBEAT_KEY = "crm:scheduler:heartbeat"


@job(queue="periodic")
def record_heartbeat() -> str:
    """Note that the scheduler and a worker are alive (shown on the System page)."""
    current = get_current_job()
    stamp = now().isoformat()
    current.connection.set(HEARTBEAT_KEY, stamp, ex=24 * 3600)
    return stamp

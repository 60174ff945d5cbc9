"""Jobs: take ids, reload rows, safe to run twice, never read current_user."""

from __future__ import annotations

from rq import get_current_job

from crm.clock import now

HEARTBEAT_KEY = "crm:scheduler:heartbeat"


def record_heartbeat() -> str:
    """Note that the scheduler and a worker are alive (shown on the System page)."""
    job = get_current_job()
    stamp = now().isoformat()
    job.connection.set(HEARTBEAT_KEY, stamp, ex=24 * 3600)
    return stamp

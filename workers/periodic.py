"""Every periodic job, declared in one list (read by the scheduler)."""

from __future__ import annotations

from typing import Any

# Each entry: the job's dotted path, its queue, and either an interval (seconds) or a cron line
# (interpreted in UTC by RQ's scheduler).
PERIODIC_JOBS: list[dict[str, Any]] = [
    {"func": "workers.jobs.record_heartbeat", "queue_name": "periodic", "interval": 60},
]

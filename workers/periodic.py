"""Every periodic job, declared in one list (read by the scheduler).

Each entry: the job's dotted path, its queue, a fixed schedule name (so a restarted scheduler keeps one
schedule per job) and either an interval (seconds) or a cron line. RQ 3.0 reads cron lines in the
scheduler host's local time zone, so the jobs that must follow Lima's clock run often and decide
themselves (see workers/reminders.py); the cron lines below only use minutes.
"""

from __future__ import annotations

from typing import Any

PERIODIC_JOBS: list[dict[str, Any]] = [
    {"func": "workers.jobs.record_heartbeat", "queue_name": "periodic", "interval": 60, "name": "heartbeat"},
    # Hands pending outbox rows, abandoned claims and retries whose scheduler died to the mail queue.
    # Every 15 s: with CLAIM_TIMEOUT_SECONDS (30), a dead worker's e-mails are taken over within 45 s.
    {
        "func": "workers.mail.dispatch_outbox",
        "queue_name": "periodic",
        "interval": 15,
        "name": "outbox-dispatch",
        "job_timeout": 300,
    },
    # Digests, overdue letters, liaison monthly, manager weekly: once per local period from DIGEST_HOUR.
    {
        "func": "workers.reminders.run_due_reminders",
        "queue_name": "periodic",
        "cron": "*/10 * * * *",
        "name": "reminders",
        "job_timeout": 1800,
    },
    # Tonight's conversion snapshot, once per local day from METRICS_HOUR.
    {
        "func": "workers.metrics.run_due_metric_snapshots",
        "queue_name": "reports",
        "cron": "7,37 * * * *",
        "name": "metric-snapshots",
        "job_timeout": 1800,
    },
]

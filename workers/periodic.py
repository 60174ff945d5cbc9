"""Every periodic job, declared in one list (read by the scheduler).

Each entry: the job (a function declared with @job, which names its queue and timeout), a fixed schedule
name (so a restarted scheduler keeps one schedule per job) and either an interval (seconds) or a cron line.
RQ 3.0 reads cron lines in the scheduler host's local time zone, so the jobs that must follow Lima's clock
run often and decide themselves (see crm/mail/jobs.py); the cron lines below only use minutes.
"""

from __future__ import annotations

from typing import Any

from crm.jobs import dispatch_job_outbox
from crm.mail.jobs import dispatch_outbox, run_due_reminders
from crm.mailcapture.jobs import capture_mailboxes
from crm.metrics.jobs import run_due_metric_snapshots
from crm.pipeline.jobs import compact_reach_tallies
from crm.privacy.jobs import apply_retention
from crm.system.backup import run_scheduled_backup
from crm.system.jobs import record_heartbeat
from crm.webhooks.sweep import sweep_webhook_deliveries

PERIODIC_JOBS: list[dict[str, Any]] = [
    # A backup when the newest is older than BACKUP_INTERVAL_HOURS; keeps BACKUP_KEEP (crm/system/backup.py).
    {"job": run_scheduled_backup, "cron": "23 * * * *", "name": "backup"},
    {"job": record_heartbeat, "interval": 60, "name": "heartbeat"},
    # Hands pending outbox rows, abandoned claims and retries whose scheduler died to the mail queue.
    # Every 15 s: with CLAIM_TIMEOUT_SECONDS (30), a dead worker's e-mails are taken over within 45 s.
    {"job": dispatch_outbox, "interval": 15, "name": "outbox-dispatch"},
    # Hands the jobs started while Redis did not answer (imports, snapshots asked for) to their queue.
    {"job": dispatch_job_outbox, "interval": 15, "name": "job-outbox-dispatch"},
    # Digests, overdue letters, liaison monthly, manager weekly: once per local period from DIGEST_HOUR.
    {"job": run_due_reminders, "cron": "*/10 * * * *", "name": "reminders"},
    # Tonight's conversion snapshot, once per local day from METRICS_HOUR.
    {"job": run_due_metric_snapshots, "cron": "7,37 * * * *", "name": "metric-snapshots"},
    # Hands each configured mailbox whose backoff is over to its own fetch job on the capture queue.
    {"job": capture_mailboxes, "interval": 60, "name": "mail-capture"},
    # Webhook deliveries whose job died with a killed worker or an emptied Redis get a new one.
    {"job": sweep_webhook_deliveries, "interval": 60, "name": "webhook-sweep"},
    # Folds the reach tallies' ledger (two rows per company and key at each change) so reports add few rows.
    {"job": compact_reach_tallies, "interval": 300, "name": "reach-tallies"},
    # Ley 29733: anonymises interactions and captured e-mails older than INTERACTION_RETENTION_YEARS.
    {"job": apply_retention, "cron": "41 * * * *", "name": "retention"},
]

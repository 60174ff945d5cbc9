"""E-mail jobs: the outbox dispatcher, the send job and the reminders (digests, liaisons', managers').

RQ 3.0's CronScheduler reads cron lines in the scheduler host's local time zone, which need not be the
project's (America/Lima). So the scheduler runs run_due_reminders every ten minutes and the job decides
in CRM_TIMEZONE: from DIGEST_HOUR on, once per local day / ISO week / month (a Redis marker notes that
a period's run finished; the idempotency keys of the outbox rows are the hard guarantee).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from flask import current_app
from rq import Retry, get_current_job

from crm.clock import now, today
from crm.extensions import db
from crm.jobs import Setting, job
from crm.mail.delivery import deliver
from crm.mail.digest import daily_digest_rows, queue_overdue_letter_notices
from crm.mail.dispatch import dispatch
from crm.mail.reminders import queue_liaison_reminders, queue_manager_summaries
from crm.models import utcnow
from crm.outbox import INSERT_CHUNK, KICK_KEY, queue_mails
from crm.redis_conn import get_redis

MARKER_TTL = 40 * 24 * 3600
DIGEST_CHUNK = INSERT_CHUNK  # digests written (and committed) at a time


def retry_after(intervals: Sequence[int]) -> Retry | None:
    """Return RQ's retry for the configured backoff intervals (none: no retry)."""
    return Retry(max=len(intervals), interval=list(intervals)) if intervals else None


@job(queue="periodic", timeout=300)
def dispatch_outbox() -> int:
    """Turn pending (and abandoned) outbox rows into send jobs on the 'mail' queue."""
    current = get_current_job()
    connection = current.connection if current is not None else get_redis()
    connection.delete(KICK_KEY)  # commits from now on wake another dispatcher
    return dispatch(connection, utcnow())


@job(
    queue="mail",
    timeout=Setting("MAIL_JOB_TIMEOUT"),
    retry=Setting("MAIL_RETRY_INTERVALS", retry_after),
    result_ttl=3600,
    failure_ttl=7 * 24 * 3600,
)
def send_outbox_batch(message_ids: list[int]) -> dict[str, object]:
    """Claim, send and mark sent each message of the batch; retried by RQ when SMTP fails."""
    current = get_current_job()
    outcome = deliver([int(i) for i in message_ids], current.id if current is not None else None)
    return {**outcome.summary(), "at": now().isoformat()}


def as_date(day: str | date | None) -> date:
    """Accept an ISO date (job arguments are JSON-friendly) or None for today."""
    if day is None:
        return today()
    return day if isinstance(day, date) else date.fromisoformat(day)


@job(queue="periodic", timeout=1800)
def daily_digests(day: str | date | None = None) -> dict[str, int]:
    """Write today's digests and overdue-letter notices to the outbox, digests a chunk per commit.

    Each chunk's commit wakes the dispatcher, so the first digests go out while the next are written.
    A run stopped midway is completed by the next one: rows already written are skipped by their key.
    """
    on = as_date(day)
    rows, written = daily_digest_rows(on), 0
    for start in range(0, len(rows), DIGEST_CHUNK):
        written += queue_mails(rows[start : start + DIGEST_CHUNK])
        db.session.commit()  # checkpoint: these digests can go out while the next chunk is written
    return {"daily_digest": written, "letter_overdue": queue_overdue_letter_notices(on)}


@job(queue="periodic", timeout=1800)
def liaison_reminders(day: str | date | None = None) -> int:
    """Write this month's reminders for liaisons with members to review."""
    return queue_liaison_reminders(as_date(day))


@job(queue="periodic", timeout=1800)
def manager_weekly(day: str | date | None = None) -> int:
    """Write this week's summary for every manager."""
    return queue_manager_summaries(as_date(day))


def periods(on: date) -> dict[str, tuple[str, Callable]]:
    """Return each reminder's current period and job."""
    year, week, _ = on.isocalendar()
    return {
        "digest": (on.isoformat(), daily_digests),
        "liaison": (on.strftime("%Y-%m"), liaison_reminders),  # a marker's name: data, not a decision
        "weekly": (f"{year}-W{week:02d}", manager_weekly),
    }


@job(queue="periodic", timeout=1800)
def run_due_reminders() -> list[str]:
    """Run each reminder whose period has not been done yet, once the local digest hour is reached."""
    if now().hour < current_app.config["DIGEST_HOUR"]:
        return []
    connection, on, done = get_redis(), today(), []
    for name, (period, reminder) in periods(on).items():
        marker = f"crm:reminders:{name}:{period}"
        if connection.exists(marker):
            continue
        reminder(on)  # checkpoint: each reminder job commits at its end, before its marker is set
        connection.set(marker, "1", ex=MARKER_TTL)
        done.append(name)
    return done

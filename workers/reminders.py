"""Reminder jobs: the daily digest, letters overdue, the liaisons' monthly and the managers' weekly e-mail.

RQ 3.0's CronScheduler reads cron lines in the scheduler host's local time zone, which need not be the
project's (America/Lima). So the scheduler runs run_due_reminders every ten minutes and the job decides
in CRM_TIMEZONE: from DIGEST_HOUR on, once per local day / ISO week / month (a Redis marker notes that
a period's run finished; the idempotency keys of the outbox rows are the hard guarantee).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import current_app

from crm.clock import now, today
from crm.extensions import db
from crm.mail.digest import queue_daily_digests, queue_overdue_letter_notices
from crm.mail.reminders import queue_liaison_reminders, queue_manager_summaries
from crm.redis_conn import get_redis

MARKER_TTL = 40 * 24 * 3600


def as_date(day: str | date | None) -> date:
    """Accept an ISO date (job arguments are JSON-friendly) or None for today."""
    if day is None:
        return today()
    return day if isinstance(day, date) else date.fromisoformat(day)


def daily_digests(day: str | date | None = None) -> dict[str, int]:
    """Write today's digests and overdue-letter notices to the outbox."""
    on = as_date(day)
    counts = {"daily_digest": queue_daily_digests(on), "letter_overdue": queue_overdue_letter_notices(on)}
    db.session.commit()
    return counts


def liaison_reminders(day: str | date | None = None) -> int:
    """Write this month's reminders for liaisons with members to review."""
    written = queue_liaison_reminders(as_date(day))
    db.session.commit()
    return written


def manager_weekly(day: str | date | None = None) -> int:
    """Write this week's summary for every manager."""
    written = queue_manager_summaries(as_date(day))
    db.session.commit()
    return written


def periods(on: date) -> dict[str, tuple[str, Callable]]:
    """Return each reminder's current period and job."""
    year, week, _ = on.isocalendar()
    return {
        "digest": (on.isoformat(), daily_digests),
        "liaison": (on.strftime("%Y-%m"), liaison_reminders),
        "weekly": (f"{year}-W{week:02d}", manager_weekly),
    }


def run_due_reminders() -> list[str]:
    """Run each reminder whose period has not been done yet, once the local digest hour is reached."""
    if now().hour < current_app.config["DIGEST_HOUR"]:
        return []
    connection, on, done = get_redis(), today(), []
    for name, (period, job) in periods(on).items():
        marker = f"crm:reminders:{name}:{period}"
        if connection.exists(marker):
            continue
        job(on)
        connection.set(marker, "1", ex=MARKER_TTL)
        done.append(name)
    return done

"""Conversion metric jobs: the snapshot computation, on demand and nightly."""

from __future__ import annotations

from datetime import date

from flask import current_app
from rq import get_current_job
from sqlalchemy import exists, select

from crm.clock import now, today
from crm.extensions import db
from crm.metrics.services import compute_snapshots
from crm.models import MetricSnapshot


def report_progress(done: int, total: int) -> None:
    """Store the progress in the job's meta, for the progress page."""
    job = get_current_job()
    if job is not None:
        job.meta["progress"] = [done, total]
        job.save_meta()


def compute_metric_snapshots(on_date: str | date | None = None) -> int:
    """Compute and store the snapshot of a day (default today); return the number of groups."""
    on = on_date if isinstance(on_date, date) else date.fromisoformat(on_date) if on_date else today()
    written = compute_snapshots(on, progress=report_progress)
    db.session.commit()
    return written


def run_due_metric_snapshots() -> int:
    """Take tonight's snapshot once the local METRICS_HOUR is reached, if not taken yet today."""
    if now().hour < current_app.config["METRICS_HOUR"]:
        return 0
    if db.session.scalar(select(exists().where(MetricSnapshot.taken_on == today()))):
        return 0
    return compute_metric_snapshots(today())

"""Starting an import: check it may start, queue it durably, and follow its job (crm/imports/jobs.py)."""

from __future__ import annotations

from flask_babel import gettext as _
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from crm import jobs
from crm.errors import UserError
from crm.extensions import db
from crm.imports.jobs import progress_key, run_import
from crm.models import ImportBatch, utcnow
from crm.redis_conn import get_redis

ACTIVE = ("queued", "running")
FOLLOWED = (*ACTIVE, "undoing", "reverting")  # states a job moves the batch out of (import or undo)


def check_startable(batch: ImportBatch, skip_errors: bool) -> None:
    """Refuse to commit without a preview, with unaccepted errors, or while another import runs."""
    if batch.status != "previewed":
        raise UserError(_("This import was already started."))
    counts = batch.counts or {}
    if not counts:
        raise UserError(_("Look at the preview before importing."))
    if counts.get("error") and not skip_errors:
        raise UserError(
            _("%(n)s rows have errors: fix the file, or confirm that the other rows are imported "
              "without them.", n=counts["error"])
        )  # fmt: skip
    if not counts.get("create") and not counts.get("update"):
        raise UserError(_("There is nothing to import: every row is unchanged or has errors."))
    running = select(ImportBatch.id).where(
        ImportBatch.user_id == batch.user_id,
        ImportBatch.kind == batch.kind,
        ImportBatch.status.in_(ACTIVE),
        ImportBatch.id != batch.id,
    )
    if db.session.scalars(running).first() is not None:
        raise UserError(
            _("Another import of this kind that you started is still running. Wait until it ends.")
        )


def queue_batch(batch: ImportBatch, skip_errors: bool) -> None:
    """Mark the batch queued and start its job through the job outbox, both in the caller's transaction."""
    check_startable(batch, skip_errors)
    batch.status = "queued"
    batch.done_rows = 0
    batch.error = None
    batch.job_id = f"crm-import-{batch.id}"
    run_import.start(batch.id, job_id=batch.job_id)
    db.session.flush()


# --- progress and stale jobs -----------------------------------------------------------------------------


def progress(batch: ImportBatch) -> int:
    """Return how many rows the job has gone through (from Redis while it runs)."""
    if batch.status not in ACTIVE:
        return batch.done_rows
    try:
        raw = get_redis().get(progress_key(batch.id))
    except (RedisError, OSError):
        return 0  # Redis does not answer: no progress to show
    return int(raw) if raw else 0


def job_lost(batch: ImportBatch) -> bool:
    """Return whether the batch's job died without finishing (worker killed, timeout, Redis flushed)."""
    if batch.status not in FOLLOWED or not batch.job_id or jobs.waiting(batch.job_id):
        return False  # still in the job outbox: it reaches Redis once Redis answers
    try:
        status = Job.fetch(batch.job_id, connection=get_redis()).get_status(refresh=True)
    except NoSuchJobError:
        return True
    except (RedisError, OSError):
        return False  # cannot tell while Redis does not answer
    return status in ("failed", "stopped", "canceled")


def mark_lost(batch: ImportBatch) -> None:
    """Record that a lost job wrote nothing (its transaction never committed)."""
    batch.status = "failed"
    batch.error = _(
        "The import stopped before it finished. Nothing was written; you can upload the file again."
    )
    batch.finished_at = utcnow()
    db.session.flush()

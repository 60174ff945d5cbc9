"""Committing an import: queue it, then apply every row in ONE transaction in an RQ job."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select, update
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    StatementError,
)
from sqlalchemy.orm.exc import StaleDataError

from crm.audit import set_actor, set_batch
from crm.clock import today
from crm.errors import UserError
from crm.extensions import db
from crm.imports.preview import UnforeseenWriteError, context, run_pass, stored_path
from crm.models import ImportBatch, User, utcnow
from crm.redis_conn import get_redis
from workers.queues import enqueue

JOB_TIMEOUT = 3600
ACTIVE = ("queued", "running")
log = logging.getLogger(__name__)


def progress_key(batch_id: int) -> str:
    """Return the Redis key holding a running import's progress."""
    return f"crm:import:{batch_id}:done"


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
    """Mark the batch queued (the request commits it) — the job is enqueued after that commit."""
    check_startable(batch, skip_errors)
    batch.status = "queued"
    batch.done_rows = 0
    batch.error = None
    batch.job_id = f"crm-import-{batch.id}"
    db.session.flush()


def enqueue_batch(batch: ImportBatch) -> None:
    """Put the committed, queued batch on the 'default' queue."""
    enqueue(
        get_redis(), run_import, batch.id, queue_name="default", job_id=batch.job_id, job_timeout=JOB_TIMEOUT
    )


def unqueue(batch_id: int) -> None:
    """Put a committed batch whose job could not be enqueued back at the preview, in a fresh transaction."""
    batch = db.session.get(ImportBatch, batch_id)
    batch.status, batch.job_id = "previewed", None
    db.session.commit()  # the request's own transaction has already ended: this one undoes its effect


# --- the job ---------------------------------------------------------------------------------------------


def claim(batch_id: int) -> bool:
    """Move the batch from queued to running; False if it is not queued (done, failed, or taken)."""
    statement = update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == "queued")
    claimed = db.session.execute(statement.values(status="running")).rowcount == 1
    db.session.commit()
    return claimed


def run_import(batch_id: int) -> str:
    """Apply a queued batch all-or-nothing; safe to run twice (only a queued batch is applied)."""
    if not claim(batch_id):
        return "skipped"
    batch = db.session.get(ImportBatch, batch_id)
    user = db.session.get(User, batch.user_id) if batch.user_id else None
    with force_locale(user.locale if user else current_app.config["LANGUAGES"][0]):
        try:
            finish(batch, apply(batch))
        except Exception as exc:  # every failure leaves nothing written
            db.session.rollback()
            fail(batch_id, reason(exc, batch_id))
            return "failed"
        finally:
            set_batch(None)
            set_actor(None)
            note_progress(batch_id, 0)
    return "done"


def apply(batch: ImportBatch) -> dict[str, Any]:
    """Run the writing pass in the session's transaction; raise if the data no longer fits the preview."""
    set_actor(batch.user_id)
    set_batch(batch.id)
    ctx = context(batch, today(), apply=True)
    result = run_pass(stored_path(batch), ctx, on_chunk=lambda n: note_progress(batch.id, n))
    accepted = (batch.counts or {}).get("error", 0)
    if result.counts["error"] > accepted:
        raise UserError(_("Rows that the preview accepted now have errors: the data changed meanwhile. "
                           "Look at the preview again."))  # fmt: skip
    db.session.flush()
    return {**result.counts, **result.written}


def note_progress(batch_id: int, done: int) -> None:
    """Publish how many rows were written so far (a Redis hiccup must not fail the import)."""
    try:
        get_redis().set(progress_key(batch_id), done, ex=JOB_TIMEOUT)
    except RedisError:
        log.warning("import %s: progress not published", batch_id)


def finish(batch: ImportBatch, counts: dict[str, Any]) -> None:
    """Mark the batch done with its counts, in the same transaction as its rows."""
    batch.status = "done"
    batch.counts = {**(batch.counts or {}), **counts}
    batch.done_rows = counts.get("rows", 0)
    batch.finished_at = utcnow()
    db.session.commit()


def reason(exc: Exception, batch_id: int) -> str:
    """Return the message stored on a failed batch; log the detail of an unforeseen failure."""
    if isinstance(exc, ValueError) and str(exc):  # UserError, ImportFileError, RowWriteError: for the user
        return str(exc)
    cause = exc.__cause__ if isinstance(exc, UnforeseenWriteError) else exc
    if isinstance(cause, IntegrityError | StaleDataError):
        return _("Someone changed the same records while the import ran. Nothing was written; try again.")
    log.exception("import %s failed", batch_id, exc_info=exc)
    facts = {"problem": problem_of(cause), "batch": batch_id}
    if isinstance(exc, UnforeseenWriteError):
        return _("The import stopped while writing rows %(first)s to %(last)s: %(problem)s. Nothing was "
                 "written. Tell an administrator: the details are in the server log under import %(batch)s.",
                 first=exc.first, last=exc.last, **facts)  # fmt: skip
    return _("The import stopped: %(problem)s. Nothing was written. Tell an administrator: the details are "
             "in the server log under import %(batch)s.", **facts)  # fmt: skip


def problem_of(exc: BaseException | None) -> str:
    """Say in the user's words what kind of fault stopped an import."""
    if isinstance(exc, DataError):
        return _("a value does not fit its column in the database")
    if isinstance(exc, OperationalError | InternalError | ProgrammingError | NotSupportedError):
        return _("the database refused the data")
    if isinstance(exc, DBAPIError | StatementError):
        return _("the database could not process the data")
    return _("an error in the application")


def fail(batch_id: int, message: str) -> None:
    """Mark the batch failed with the reason, in a fresh transaction."""
    values = {"status": "failed", "error": message, "finished_at": utcnow(), "done_rows": 0}
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(**values))
    db.session.commit()


# --- progress and stale jobs -----------------------------------------------------------------------------


def progress(batch: ImportBatch) -> int:
    """Return how many rows the job has gone through (from Redis while it runs)."""
    if batch.status in ACTIVE:
        raw = get_redis().get(progress_key(batch.id))
        return int(raw) if raw else 0
    return batch.done_rows


def job_lost(batch: ImportBatch) -> bool:
    """Return whether the batch's job died without finishing (worker killed, timeout, Redis flushed)."""
    if batch.status not in ACTIVE or not batch.job_id:
        return False
    try:
        status = Job.fetch(batch.job_id, connection=get_redis()).get_status(refresh=True)
    except NoSuchJobError:
        return True
    return status in ("failed", "stopped", "canceled")


def mark_lost(batch: ImportBatch) -> None:
    """Record that a lost job wrote nothing (its transaction never committed)."""
    batch.status = "failed"
    batch.error = _(
        "The import stopped before it finished. Nothing was written; you can upload the file again."
    )
    batch.finished_at = utcnow()
    db.session.flush()

"""The import job: apply every row of a queued batch in ONE transaction, all-or-nothing."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy import update
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
from crm.jobs import job
from crm.models import ImportBatch, User, utcnow
from crm.pipeline.jobs import compact_reach_tallies
from crm.redis_conn import get_redis
from crm.web import format_locale

JOB_TIMEOUT = 3600
log = logging.getLogger(__name__)


def progress_key(batch_id: int) -> str:
    """Return the Redis key holding a running import's progress."""
    return f"crm:import:{batch_id}:done"


def claim(batch_id: int, waiting: str = "queued", taking: str = "running") -> bool:
    """Move the batch from a waiting state to the job's; False if it is not waiting (done, or taken)."""
    statement = update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == waiting)
    claimed = db.session.execute(statement.values(status=taking)).rowcount == 1
    db.session.commit()  # checkpoint: the batch is taken; a second run of the job finds it taken
    return claimed


@job(queue="default", timeout=JOB_TIMEOUT)
def run_import(batch_id: int) -> str:
    """Apply a queued batch all-or-nothing; safe to run twice (only a queued batch is applied).

    Its rows and the batch's final state commit together at the job's end; a failure discards the rows
    and the job's end commits the failure instead.
    """
    if not claim(batch_id):
        return "skipped"
    batch = db.session.get(ImportBatch, batch_id)
    user = db.session.get(User, batch.user_id) if batch.user_id else None
    with force_locale(format_locale(user.locale if user else current_app.config["LANGUAGES"][0])):
        try:
            finish(batch, apply(batch))
        except Exception as exc:  # every failure leaves nothing written
            db.session.rollback()  # discard the rows written so far; the failure is recorded below
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
    """Mark the batch done with its counts, with its rows; flush (a clash fails the import here)."""
    batch.status = "done"
    batch.counts = {**(batch.counts or {}), **counts}
    batch.done_rows = counts.get("rows", 0)
    batch.finished_at = utcnow()
    fold_later(batch.id, "import")
    db.session.flush()


def fold_later(batch_id: int, what: str) -> None:
    """Start a fold of the tallies' ledgers once the batch commits: it wrote two rows per company and key."""
    compact_reach_tallies.start(job_id=f"crm-fold-{what}-{batch_id}")


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
    """Mark the batch failed with the reason (the job's end commits it)."""
    values = {"status": "failed", "error": message, "finished_at": utcnow(), "done_rows": 0}
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(**values))

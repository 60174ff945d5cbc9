"""Undoing an import as a job: 100,000 rows take longer than a web request may, so the page follows it.

The request marks the batch "undoing" and starts the job through the job outbox in its own transaction.
The job claims the batch ("reverting", committed, so a second run of the job does nothing), then undoes
it in ONE transaction (crm.imports.undo): either everything is undone and the batch is "undone", or
nothing is and the batch is "done" again with the later edits that stopped it (or the failure) kept
in its counts for the page. A killed worker leaves nothing half-undone: its transaction never committed.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from crm.audit import set_actor, set_batch
from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.imports.jobs import JOB_TIMEOUT, claim, fold_later
from crm.imports.undo import undo_batch
from crm.jobs import job
from crm.models import ImportBatch, User
from crm.web import format_locale

MAX_KEPT = 200  # later edits kept for the page (the count says how many there were)
UNDO_STATES = ("undoing", "reverting")
log = logging.getLogger(__name__)


def queue_undo(batch: ImportBatch, user: User) -> None:
    """Mark a finished batch as being undone and start the job, in the caller's transaction."""
    if batch.status != "done":
        raise UserError(_("Only a finished import can be undone."))
    batch.status = "undoing"
    batch.counts = {k: v for k, v in (batch.counts or {}).items() if not k.startswith("undo_")}
    batch.job_id = f"crm-import-undo-{batch.id}-{user.id}"
    undo_import.start(batch.id, user.id, job_id=batch.job_id)
    db.session.flush()


@job(queue="default", timeout=JOB_TIMEOUT)
def undo_import(batch_id: int, user_id: int) -> str:
    """Undo a batch all-or-nothing for the user who asked; safe to run twice (only a waiting batch)."""
    if not claim(batch_id, "undoing", "reverting"):  # committed: a second run of the job finds it taken
        return "skipped"
    user = db.session.get(User, user_id)
    with force_locale(format_locale(user.locale if user else current_app.config["LANGUAGES"][0])):
        return revert(batch_id, user)


def revert(batch_id: int, user: User | None) -> str:
    """Undo the claimed batch; on a conflict or failure undo nothing and say why on the batch."""
    batch = db.session.get(ImportBatch, batch_id)
    batch.status = "done"  # what undo_batch expects; it leaves "undone" only if everything went
    set_actor(user.id if user else None)
    try:
        done = undo_batch(batch, user)
    except StaleEditError as exc:
        kept = [{k: str(v) for k, v in asdict(c).items()} for c in exc.changes[:MAX_KEPT]]
        return refused(batch_id, {"undo_conflicts": kept, "undo_conflict_total": len(exc.changes)})
    except Exception as exc:  # every failure leaves nothing undone
        return refused(batch_id, {"undo_error": message_of(exc, batch_id)})
    finally:
        set_batch(None)
        set_actor(None)
    undone = {"undo_removed": done["removed"], "undo_restored": done["restored"]}
    batch.counts = {**(batch.counts or {}), **undone}
    fold_later(batch_id, "undo")
    return "undone"


def message_of(exc: Exception, batch_id: int) -> str:
    """Return what the page says about a failed undo; log the detail of an unforeseen one."""
    if isinstance(exc, UserError):
        return exc.message
    log.exception("undo of import %s failed", batch_id, exc_info=exc)
    return _("The undo stopped because of an error. Nothing was undone. Tell an administrator: the "
             "details are in the server log under import %(batch)s.", batch=batch_id)  # fmt: skip


def refused(batch_id: int, facts: dict[str, Any]) -> str:
    """Discard the undo's work and put the batch back to done with the reason (the job's end commits)."""
    db.session.rollback()
    batch = db.session.get(ImportBatch, batch_id)
    batch.status = "done"
    batch.counts = {**(batch.counts or {}), **facts}
    db.session.flush()
    return "refused"


def mark_lost(batch: ImportBatch) -> None:
    """Record that a lost undo job changed nothing (its transaction never committed)."""
    batch.status = "done"
    message = _("The undo stopped before it finished. Nothing was undone; you can try again.")
    batch.counts = {**(batch.counts or {}), "undo_error": message}
    db.session.flush()

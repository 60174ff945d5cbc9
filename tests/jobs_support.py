"""A job for the tests of crm.jobs: it writes a row and never commits; the job's boundary decides."""

from __future__ import annotations

from crm.extensions import db
from crm.jobs import job
from crm.models import MailOptOut


@job(queue="default", timeout=30)
def mute_digest(user_id: int, fail: bool = False) -> str:
    """Switch off a user's digest (flush only), then fail if asked to."""
    db.session.add(MailOptOut(user_id=user_id, kind="daily_digest"))
    db.session.flush()
    if fail:
        raise RuntimeError("the job failed after writing")
    return "muted"

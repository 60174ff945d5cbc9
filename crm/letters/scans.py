"""The scan files of letters follow the transaction of their Document rows.

A scan is written to disk before its row is committed, and a deleted letter's scan may only go once the
deletion is committed. Views do not commit (the request's boundary in crm.transactions does, after the
view), so the files wait for the outcome: a rolled-back upload is removed, a committed deletion removes
its file, a rolled-back deletion keeps it.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.documents import remove_file
from crm.extensions import db

WRITTEN = "letters.scans_written"  # files whose new Document rows are not committed yet
DELETED = "letters.scans_deleted"  # files whose Document rows are deleted, not committed yet


def written(storage_name: str) -> None:
    """Remove this new scan's file if its transaction is rolled back."""
    pending(WRITTEN).append(storage_name)


def deleted(storage_name: str) -> None:
    """Remove this scan's file once the deletion of its row is committed."""
    pending(DELETED).append(storage_name)


def pending(key: str) -> list[str]:
    """Return the current session's list of files waiting for its transaction's outcome."""
    listen()
    return db.session.info.setdefault(key, [])


def after_commit(session: Session) -> None:
    """Keep the new scans and remove the deleted ones: their rows' fate is now stored."""
    if session.in_nested_transaction():  # a savepoint: the outer transaction decides
        return
    session.info.pop(WRITTEN, None)
    for storage_name in session.info.pop(DELETED, []):
        remove_file(storage_name)


def after_rollback(session: Session) -> None:
    """Remove the new scans, whose rows no longer exist, and keep the ones whose deletion was undone."""
    if session.in_nested_transaction():
        return
    session.info.pop(DELETED, None)
    for storage_name in session.info.pop(WRITTEN, []):
        remove_file(storage_name)


def listen() -> None:
    """Register the transaction hooks once per process."""
    if not event.contains(Session, "after_commit", after_commit):
        event.listen(Session, "after_commit", after_commit)
        event.listen(Session, "after_rollback", after_rollback)

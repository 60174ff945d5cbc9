"""Capture jobs: a periodic job hands each due mailbox to its own fetch job on the capture queue.

One fetch job per mailbox (job id capture-<id>, never two alive, and a Redis lock for a run started by
hand): a mailbox that does not answer fails alone, records its error and waits its backoff, and the other
mailboxes and queues go on.
"""

from __future__ import annotations

import imaplib
import secrets
from datetime import timedelta

from redis import Redis
from rq import get_current_job
from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError

from crm.extensions import db
from crm.jobs import alive, job
from crm.mailcapture.imap import Prefetch, connect, new_uids
from crm.mailcapture.ingest import Tally, ingest_batch
from crm.mailcapture.matching import load_address_book
from crm.models import Mailbox, utcnow
from crm.redis_conn import get_redis

FETCH_TIMEOUT = 1800
BACKOFF_CAP_SECONDS = 3600
FAILURES = (imaplib.IMAP4.error, OSError, ValueError, SQLAlchemyError)


def connection() -> Redis:
    """Return the Redis connection of the running job, else the app's."""
    current = get_current_job()
    return current.connection if current is not None else get_redis()


def job_id_of(mailbox_id: int) -> str:
    """Return the fetch job's id of a mailbox."""
    return f"capture-{mailbox_id}"


@job(queue="periodic")
def capture_mailboxes() -> list[int]:
    """Hand every active mailbox whose backoff is over to its fetch job (unless one waits or runs)."""
    conn = connection()
    due = select(Mailbox.id).where(
        Mailbox.active.is_(True), or_(Mailbox.next_attempt_at.is_(None), Mailbox.next_attempt_at <= utcnow())
    )
    started = []
    for mailbox_id in db.session.scalars(due.order_by(Mailbox.id)).all():
        if not alive(conn, job_id_of(mailbox_id)):
            fetch_mailbox.enqueue(mailbox_id, job_id=job_id_of(mailbox_id), connection=conn)
            started.append(mailbox_id)
    return started


@job(queue="capture", timeout=FETCH_TIMEOUT)
def fetch_mailbox(mailbox_id: int) -> dict:
    """Read a mailbox's new messages (one run at a time per mailbox); return what became of them."""
    conn, token = connection(), secrets.token_hex(8)
    lock = f"crm:capture:lock:{mailbox_id}"
    if not conn.set(lock, token, nx=True, ex=FETCH_TIMEOUT):
        return {"running": True}
    try:
        return run(mailbox_id)
    finally:
        if conn.get(lock) in (token, token.encode()):
            conn.delete(lock)


def run(mailbox_id: int) -> dict:
    """Capture, then note success or failure on the mailbox."""
    mailbox = db.session.get(Mailbox, mailbox_id)
    if mailbox is None or not mailbox.active:
        return {}
    tally = Tally()
    try:
        capture(mailbox, tally)
    except FAILURES as exc:
        db.session.rollback()
        note_failure(mailbox_id, f"{type(exc).__name__}: {exc}")
        return {"error": str(exc), **tally.__dict__}
    note_success(mailbox)
    return tally.__dict__


def capture(mailbox: Mailbox, tally: Tally) -> None:
    """Read the new messages batch by batch, committing each batch with the last UID it reached."""
    client = connect(mailbox)
    try:
        uids = new_uids(client, mailbox)
        book = load_address_book()
        with Prefetch(client, uids) as stream:
            for last_uid, batch in stream:
                ingest_batch(mailbox, book, batch, tally)
                mailbox.last_uid = last_uid
                db.session.commit()  # checkpoint: a batch and the last UID it reached, together
    finally:
        try:
            client.logout()
        except FAILURES:
            client.shutdown()


def note_success(mailbox: Mailbox) -> None:
    """Record a successful fetch: the failures and the backoff are over."""
    mailbox.last_success_at, mailbox.failures, mailbox.next_attempt_at = utcnow(), 0, None


def backoff(failures: int) -> timedelta:
    """Return the wait after so many failures in a row: 1, 2, 4 ... minutes, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(failures - 1, 0), BACKOFF_CAP_SECONDS))


def note_failure(mailbox_id: int, error: str) -> None:
    """Record a failed fetch and when to try again."""
    mailbox = db.session.get(Mailbox, mailbox_id)
    mailbox.failures += 1
    mailbox.last_error, mailbox.last_error_at = error[:1000], utcnow()
    mailbox.next_attempt_at = utcnow() + backoff(mailbox.failures)

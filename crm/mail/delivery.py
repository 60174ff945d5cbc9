"""Deliver outbox rows exactly once per idempotency key: claim (commit), send, mark sent (one commit each).

A claim is an UPDATE ... WHERE on the row's status, committed before anything is sent, so two workers
(or a retried job) can never both own a row: whoever's UPDATE matched owns it, on SQLite as on
PostgreSQL. While a batch sends, a heartbeat keeps its claims fresh (crm/mail/lease.py); a claim whose
heartbeat stopped for CLAIM_TIMEOUT_SECONDS belongs to a dead worker and is taken over.
The only unclosable window — the SMTP server accepted the message and the worker died (or the database
failed) before its 'sent' commit — holds one e-mail at most: each 'sent' state commits (crm/mail/recorder.py,
while the next e-mail is rendered and its body sent) before the next e-mail's final dot, and a re-send
carries the same Message-ID.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from crm.extensions import db
from crm.mail.lease import ClaimLease
from crm.mail.links import preferences_url
from crm.mail.recorder import Outcome, Recorder, own_connections
from crm.mail.render import render
from crm.mail.transport import (
    Mailer,
    PermanentMailError,
    TransientMailError,
    build_email,
    message_id,
)
from crm.models import MailOptOut, OutboxMessage, utcnow

CLAIMABLE = ("pending", "queued")


class MailDeferredError(Exception):
    """The SMTP server failed; the rows went back to 'queued' and RQ retries the job with backoff."""


def stale_before(now: datetime) -> datetime:
    """Return the moment before which a claim counts as abandoned."""
    return now - timedelta(seconds=current_app.config["CLAIM_TIMEOUT_SECONDS"])


def claimable(now: datetime):
    """SQL condition: the row waits for a sender, or its sender died."""
    stale = and_(OutboxMessage.status == "claimed", OutboxMessage.claimed_at < stale_before(now))
    return or_(OutboxMessage.status.in_(CLAIMABLE), stale)


def claim(ids: list[int], token: str, now: datetime) -> list[int]:
    """Claim the claimable rows among ids with one UPDATE and COMMIT; return the ids won."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), claimable(now))
        .values(status="claimed", claim_token=token, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    mine = select(OutboxMessage.id).where(OutboxMessage.id.in_(ids), OutboxMessage.claim_token == token)
    won = list(db.session.scalars(mine))  # by primary key: no scan of the whole outbox
    db.session.commit()  # checkpoint: the claim, before anything is sent
    return sorted(won)


def release(ids: list[int], token: str, error: str, max_attempts: int, job_id: str | None) -> int:
    """Count a failed attempt; rows with tries left go back to 'queued' (for the job's retry), others fail."""
    attempts = OutboxMessage.attempts + 1
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.claim_token == token)
        .values(
            attempts=attempts,
            last_error=error[:2000],
            claim_token=job_id,  # while 'queued', the job that will send it (see crm/mail/dispatch.py)
            updated_at=utcnow(),
            status=case((attempts >= max_attempts, "failed"), else_="queued"),
        )
        .execution_options(synchronize_session=False)
    )
    waiting = db.session.scalar(
        select(func.count()).where(OutboxMessage.id.in_(ids), OutboxMessage.status == "queued")
    )
    db.session.commit()  # checkpoint: the failed attempt is counted before RQ schedules the retry
    return waiting or 0


def opt_outs(messages: list[OutboxMessage]) -> set[tuple[int, str]]:
    """Return the (user, kind) pairs among the batch that the users switched off, in one query."""
    users = {m.recipient_id for m in messages}
    rows = db.session.execute(
        select(MailOptOut.user_id, MailOptOut.kind).where(MailOptOut.user_id.in_(users))
    )
    return {(r.user_id, r.kind) for r in rows}


def max_attempts() -> int:
    """Return how many SMTP attempts a message gets: the first plus one per retry interval."""
    return len(current_app.config["MAIL_RETRY_INTERVALS"]) + 1


def send_one(message: OutboxMessage, mailer: Mailer) -> dict[str, object]:
    """Render and send one message; return the columns of its 'sent' state."""
    if message.kind == "contact_mail":  # composed to a contact (crm/compose): its own headers and footer
        from crm.compose.sending import send_contact_mail  # compose imports the mail package

        return send_contact_mail(message, mailer)
    if message.kind in ("event_invitation", "event_registration"):  # to people outside the team
        from crm.events.invite_mail import send_event_mail  # events import the mail package

        return send_event_mail(message, mailer)
    user = message.recipient
    rendered = render(message, user)
    email = build_email(
        current_app.config,
        (user.name, user.email),
        rendered.subject,
        rendered.text,
        rendered.html,
        message.idempotency_key,
        preferences_url(),
    )
    transport = mailer.send(email)
    return {
        "status": "sent",
        "sent_at": utcnow(),
        "message_id": message_id(message.idempotency_key),
        "transport": transport,
        "subject": rendered.subject[:300],
        "body_text": rendered.text,
        "body_html": rendered.html,
        "last_error": None,
    }


def deliver_one(message: OutboxMessage, mailer: Mailer, muted: set, recorder: Recorder) -> None:
    """Skip, fail or send one claimed message; the recorder commits its final state."""
    if not message.recipient.active or (message.recipient_id, message.kind) in muted:
        recorder.submit(message.id, "skipped", status="skipped", last_error=None)
        return
    try:
        values = send_one(message, mailer)  # waits for the previous e-mail's commit before the final dot
    except PermanentMailError as exc:
        tries = message.attempts + 1
        recorder.submit(message.id, "failed", status="failed", last_error=str(exc)[:2000], attempts=tries)
        return
    recorder.submit(message.id, "sent", **values)


def load(ids: list[int]) -> list[OutboxMessage]:
    """Load claimed rows with their recipients, in id order, detached from the session.

    Detached, they keep their loaded values across commits (which would otherwise expire them and cost
    two SELECTs per message); their state is only changed by UPDATE statements.
    """
    query = select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    messages = list(db.session.scalars(query))
    db.session.expunge_all()
    return messages


def give_back(ids: list[int], token: str) -> None:
    """Return unsent claimed rows to 'pending' (no attempt counted): the next dispatch re-sends them."""
    table = OutboxMessage.__table__
    db.session.execute(
        table.update()
        .where(table.c.id.in_(ids), table.c.claim_token == token)
        .values(status="pending", claim_token=None, updated_at=utcnow())
    )
    db.session.commit()  # checkpoint: the unsent rows are given back


def lease(ids: list[int], token: str) -> ClaimLease:
    """Return the heartbeat of a batch's claims (none for an in-memory database: one process only)."""
    cfg, engine = current_app.config, db.engine
    beating = ids if own_connections(engine) else []
    return ClaimLease(engine, beating, token, cfg["CLAIM_HEARTBEAT_SECONDS"], cfg["CLAIM_TIMEOUT_SECONDS"])


def abandon(ids: list[int], token: str) -> None:
    """After a database error, give the unsent rows back if it answers; else their claims just expire."""
    try:
        end_transaction()
        give_back(ids, token)
    except SQLAlchemyError as exc:
        current_app.logger.warning("outbox: %s message(s) not given back (claims expire): %s", len(ids), exc)
        end_transaction()


def end_transaction() -> None:
    """Roll the session back, even on a connection the database dropped (the first try discards it)."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.rollback()


@dataclass
class Batch:
    """One send job's claimed messages and what sends and records them."""

    token: str
    job_id: str | None
    mailer: Mailer
    recorder: Recorder
    muted: set[tuple[int, str]]


def deliver(ids: list[int], job_id: str | None = None) -> Outcome:
    """Claim the rows, send each over one SMTP connection, mark each sent (MailDeferredError: SMTP down)."""
    token, outcome = uuid.uuid4().hex, Outcome()
    # Stop before RQ's job timeout kills the work horse in the middle of an SMTP exchange.
    deadline = utcnow() + timedelta(seconds=0.8 * current_app.config["MAIL_JOB_TIMEOUT"])
    messages = load(claim(ids, token, utcnow()))
    muted = opt_outs(messages)
    with (
        lease([m.id for m in messages], token) as claims,
        Recorder(db.engine, token, outcome) as recorder,
        Mailer(current_app.config, before_accept=recorder.settle) as mailer,
    ):
        batch = Batch(token, job_id, mailer, recorder, muted)
        if messages and recorder.threaded:
            recorder.start()
        for index, message in enumerate(messages):
            if utcnow() > deadline or not claims.held():
                recorder.settle()
                give_back([m.id for m in messages[index:]], token)
                break
            if not attempt(message, messages[index + 1 :], batch):
                break
    return outcome


def attempt(message: OutboxMessage, rest: list[OutboxMessage], batch: Batch) -> bool:
    """Deliver one message of the batch; return whether the batch goes on."""
    try:
        deliver_one(message, batch.mailer, batch.muted, batch.recorder)
    except TransientMailError as exc:
        defer_rest([message, *rest], batch, str(exc))
        return False
    except SQLAlchemyError as exc:
        stop([message, *rest], batch, exc)
        raise
    except Exception as exc:  # noqa: BLE001 - a bad template must not block the batch
        current_app.logger.exception("outbox %s: cannot render", message.id)
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:2000]
        batch.recorder.submit(message.id, "failed", status="failed", last_error=error)
    return True


def stop(unsent: list[OutboxMessage], batch: Batch, exc: SQLAlchemyError) -> None:
    """After a database error, drop the message begun and give it and the rest back.

    No database error can follow a message's acceptance (its commit is the next one's to wait for), so
    none of these went out. The row whose commit failed stays claimed; its re-send, once the claim
    expires, carries the same Message-ID.
    """
    current_app.logger.warning("outbox %s: database error, batch stopped: %s", unsent[0].id, exc)
    batch.mailer.close()  # a message begun but not ended is dropped: the server discards it
    abandon([m.id for m in unsent], batch.token)


def defer_rest(unsent: list[OutboxMessage], batch: Batch, error: str) -> None:
    """After an SMTP failure, wait for the last commit, then give the unsent rows back for a retry."""
    try:
        batch.recorder.settle()
    except SQLAlchemyError as exc:
        stop(unsent, batch, exc)
        raise
    defer([m.id for m in unsent], batch, error)


def defer(ids: list[int], batch: Batch, error: str) -> None:
    """Give the rest of the batch back for a retry (or fail it after the last try)."""
    db.session.rollback()
    current_app.logger.warning("outbox: SMTP failed for %s message(s): %s", len(ids), error)
    if release(ids, batch.token, error, max_attempts(), batch.job_id):
        raise MailDeferredError(error)  # RQ schedules the retry with the configured backoff
    batch.recorder.outcome.failed.extend(ids)

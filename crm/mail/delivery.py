"""Deliver outbox rows exactly once per idempotency key: claim (commit), send, mark sent (one commit).

A claim is an UPDATE ... WHERE on the row's status, committed before anything is sent, so two workers
(or a retried job) can never both own a row: whoever's UPDATE matched owns it, on SQLite as on
PostgreSQL. While a batch sends, a heartbeat keeps its claims fresh (crm/mail/lease.py); a claim whose
heartbeat stopped for CLAIM_TIMEOUT_SECONDS belongs to a dead worker and is taken over.
The only unclosable window — the SMTP server accepted the message and the worker died (or the database
failed) before the 'sent' commit — is one statement wide, and a re-send then carries the same Message-ID.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from crm.extensions import db
from crm.mail.lease import ClaimLease
from crm.mail.links import preferences_url
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


@dataclass
class Outcome:
    """What a batch did, returned as the job's result."""

    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lost_claim: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """Return the counts."""
        return {k: len(v) for k, v in self.__dict__.items()}


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


@lru_cache(maxsize=16)
def final_update(columns: tuple[str, ...]) -> Any:
    """Build (once per set of columns) the UPDATE that records a row's final state under our claim.

    It runs once per e-mail: a prepared Core statement spares SQLAlchemy rebuilding and re-keying it.
    """
    table = OutboxMessage.__table__
    values = {name: bindparam(f"new_{name}") for name in (*columns, "updated_at")}
    mine = (table.c.id == bindparam("row_id")) & (table.c.claim_token == bindparam("token"))
    return table.update().where(mine).values(claim_token=None, **values)


def finish(message_id_: int, token: str, **values: object) -> bool:
    """Set the row's final state if we still own the claim; COMMIT; return whether we did."""
    params = {f"new_{name}": value for name, value in values.items()}
    params.update(row_id=message_id_, token=token, new_updated_at=utcnow())
    result = db.session.execute(final_update(tuple(sorted(values))), params)
    db.session.commit()  # checkpoint: this e-mail's final state, before the next one is sent
    return result.rowcount == 1


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


def deliver_one(message: OutboxMessage, token: str, mailer: Mailer, muted: set, outcome: Outcome) -> None:
    """Skip, fail or send one claimed message and record its final state in one commit."""
    if not message.recipient.active or (message.recipient_id, message.kind) in muted:
        finish(message.id, token, status="skipped", last_error=None)
        outcome.skipped.append(message.id)
        return
    try:
        values = send_one(message, mailer)
    except PermanentMailError as exc:
        finish(message.id, token, status="failed", last_error=str(exc)[:2000], attempts=message.attempts + 1)
        outcome.failed.append(message.id)
        return
    record_sent(message.id, token, values, outcome)


def record_sent(row_id: int, token: str, values: dict[str, object], outcome: Outcome) -> None:
    """Mark a message the server accepted as sent (the one window: a crash before this commit re-sends)."""
    try:
        recorded = finish(row_id, token, **values)
    except SQLAlchemyError:
        current_app.logger.exception("outbox %s: sent, but the database failed to record it", row_id)
        raise
    if recorded:
        outcome.sent.append(row_id)
    else:
        current_app.logger.warning("outbox %s: claim lost while sending (a copy may follow)", row_id)
        outcome.lost_claim.append(row_id)


def load(ids: list[int]) -> list[OutboxMessage]:
    """Load claimed rows with their recipients, in id order, detached from the session.

    Detached, they keep their loaded values across the per-message commits (which would otherwise
    expire them and cost two SELECTs per message); their state is only changed by UPDATE statements.
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
    beating = ids if engine.url.database not in (None, "", ":memory:") else []
    return ClaimLease(engine, beating, token, cfg["CLAIM_HEARTBEAT_SECONDS"], cfg["CLAIM_TIMEOUT_SECONDS"])


def abandon(ids: list[int], token: str) -> None:
    """After a database error, give the unsent rows back if it answers; else their claims just expire."""
    try:
        give_back(ids, token)
    except SQLAlchemyError:
        db.session.rollback()


def deliver(ids: list[int], job_id: str | None = None) -> Outcome:
    """Claim the rows, send each over one SMTP connection, mark each sent (MailDeferredError: SMTP down)."""
    token, outcome = uuid.uuid4().hex, Outcome()
    # Stop before RQ's job timeout kills the work horse in the middle of an SMTP exchange.
    deadline = utcnow() + timedelta(seconds=0.8 * current_app.config["MAIL_JOB_TIMEOUT"])
    messages = load(claim(ids, token, utcnow()))
    muted = opt_outs(messages)
    with lease([m.id for m in messages], token) as claims, Mailer(current_app.config) as mailer:
        for index, message in enumerate(messages):
            if utcnow() > deadline or not claims.held():
                give_back([m.id for m in messages[index:]], token)
                break
            try:
                deliver_one(message, token, mailer, muted, outcome)
            except TransientMailError as exc:
                defer([m.id for m in messages[index:]], token, str(exc), outcome, job_id)
                break
            except SQLAlchemyError as exc:
                current_app.logger.warning("outbox %s: database error, batch stopped: %s", message.id, exc)
                db.session.rollback()
                abandon([m.id for m in messages[index + 1 :]], token)
                raise  # this row stays claimed: if the server took it, the re-send is the same message
            except Exception as exc:  # noqa: BLE001 - a bad template must not block the batch
                current_app.logger.exception("outbox %s: cannot render", message.id)
                db.session.rollback()
                finish(message.id, token, status="failed", last_error=f"{type(exc).__name__}: {exc}"[:2000])
                outcome.failed.append(message.id)
    return outcome


def defer(ids: list[int], token: str, error: str, outcome: Outcome, job_id: str | None) -> None:
    """Give the rest of the batch back for a retry (or fail it after the last try)."""
    db.session.rollback()
    current_app.logger.warning("outbox: SMTP failed for %s message(s): %s", len(ids), error)
    if release(ids, token, error, max_attempts(), job_id):
        raise MailDeferredError(error)  # RQ schedules the retry with the configured backoff
    outcome.failed.extend(ids)

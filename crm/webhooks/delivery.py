"""Send one webhook delivery: a job, retried with backoff by RQ, that never sends a 'sent' delivery again."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import current_app

from crm.errors import UserError
from crm.extensions import db
from crm.jobs import Setting, job
from crm.mail.jobs import retry_after
from crm.models import WebhookDelivery, WebhookSubscription, utcnow
from crm.outbox import queue_mail
from crm.webhooks import guard, signing, transport


class WebhookDeferredError(Exception):
    """The receiver failed; RQ runs the job again after the next retry interval."""


def add_delivery(subscription: WebhookSubscription, event: str, data: dict[str, Any]) -> WebhookDelivery:
    """Write a delivery row and its job in the caller's transaction."""
    delivery = WebhookDelivery(
        delivery_id=str(uuid.uuid4()), subscription_id=subscription.id, event=event,
        payload={"occurred_at": utcnow().isoformat(), "data": data}, status="pending", attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(delivery)
    db.session.flush()
    start(delivery)
    return delivery


def start(delivery: WebhookDelivery) -> None:
    """Start the send job through the job outbox (a new job id per start, so replays are new attempts)."""
    send_delivery.start(delivery.id, job_id=f"webhook-{delivery.delivery_id}-{uuid.uuid4().hex[:8]}")


def replay(delivery: WebhookDelivery) -> None:
    """Send a delivery again under the same delivery id."""
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    start(delivery)


def body_of(delivery: WebhookDelivery) -> bytes:
    """Return the delivery's JSON body."""
    payload = delivery.payload or {}
    return signing.body_of(delivery.delivery_id, delivery.event, payload.get("occurred_at", ""),
                           payload.get("data", {}))


def attempt(delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    """Make one HTTP attempt; return (status code, error)."""
    subscription = delivery.subscription
    try:
        address = guard.check_url(subscription.url)  # again now: the name may resolve elsewhere today
    except UserError as error:
        return None, error.message
    body = body_of(delivery)
    stamp = str(int(utcnow().timestamp()))
    headers = signing.headers(subscription.secret, delivery.delivery_id, stamp, body)
    try:
        code = transport.post(subscription.url, address, body, headers,
                              current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
    except OSError as error:
        return None, f"{type(error).__name__}: {error}"[:2000]
    return code, None if 200 <= code < 300 else f"HTTP {code}"


def succeed(delivery: WebhookDelivery, code: int) -> None:
    """Mark the delivery sent and the subscription healthy."""
    delivery.status, delivery.sent_at, delivery.last_status_code = "sent", utcnow(), code
    delivery.last_error, delivery.next_attempt_at = None, None
    delivery.subscription.consecutive_failures = 0


def fail(delivery: WebhookDelivery, code: int | None, error: str) -> bool:
    """Count a failed attempt; return whether another attempt will follow."""
    subscription = delivery.subscription
    delivery.last_status_code, delivery.last_error = code, error
    subscription.consecutive_failures += 1
    limit = current_app.config["WEBHOOK_MAX_FAILURES"]
    if subscription.active and subscription.consecutive_failures >= limit:
        disable(subscription)
    intervals = current_app.config["WEBHOOK_RETRY_INTERVALS"]
    retries_left = delivery.attempts < len(intervals) + 1
    delivery.status = "pending" if retries_left and subscription.active else "failed"
    if delivery.status == "pending":  # when RQ's retry is due: the sweep leaves it alone until then
        delivery.next_attempt_at = utcnow() + timedelta(seconds=intervals[delivery.attempts - 1])
    return delivery.status == "pending"


def disable(subscription: WebhookSubscription) -> None:
    """Stop a failing subscription and tell its owner by e-mail."""
    subscription.active, subscription.disabled_at = False, utcnow()
    queue_mail(
        "webhook_disabled", subscription.owner_id, subject_type="webhook", subject_id=subscription.id,
        period=subscription.disabled_at.strftime("%Y%m%d%H%M%S"),
        payload={"url": subscription.url, "failures": subscription.consecutive_failures},
    )


@job(
    queue="default",
    timeout=60,
    retry=Setting("WEBHOOK_RETRY_INTERVALS", retry_after),
    result_ttl=3600,
    failure_ttl=7 * 24 * 3600,
)
def send_delivery(delivery_pk: int) -> str:
    """POST one delivery; a delivery already sent (or given up) is left alone, so running twice is safe."""
    delivery = db.session.get(WebhookDelivery, int(delivery_pk), with_for_update=True)
    if delivery is None or delivery.status != "pending":
        return "skipped"
    if not delivery.subscription.active:
        delivery.status, delivery.last_error = "failed", "subscription disabled"
        return "failed"
    delivery.attempts += 1
    code, error = attempt(delivery)
    if error is None:
        succeed(delivery, code or 200)
        return "sent"
    if fail(delivery, code, error):
        db.session.commit()  # checkpoint: the failed attempt is counted before RQ schedules the retry
        raise WebhookDeferredError(error)
    return "failed"

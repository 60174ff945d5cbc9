"""Find webhook deliveries whose job was lost and start it again (at least once; receivers deduplicate).

A delivery waits as 'pending' with the moment its next attempt is due (next_attempt_at): now when written or
replayed, the retry's time after a failure. Its job can be lost: a worker SIGKILLed in the middle of the POST
rolls the attempt back and RQ does not run an abandoned job again; a Redis restarted empty forgets queued
jobs and scheduled retries. A delivery still pending WEBHOOK_SWEEP_GRACE_SECONDS after it was due has lost
its job: the sweep starts a new one through the job outbox. A job that was only slow is harmless: each job
locks the row and leaves a delivery that is no longer pending alone, and the receiver deduplicates on the
X-CRM-Webhook-Id header, which stays the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from crm.extensions import db
from crm.jobs import job
from crm.models import WebhookDelivery, WebhookSubscription, utcnow
from crm.webhooks.delivery import start

CHUNK = 500


def lost(now: datetime) -> list[WebhookDelivery]:
    """Return pending deliveries of active subscriptions that are overdue by more than the grace period."""
    overdue = now - timedelta(seconds=current_app.config["WEBHOOK_SWEEP_GRACE_SECONDS"])
    query = (
        select(WebhookDelivery)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at < overdue)
        .where(WebhookSubscription.active.is_(True))
        .order_by(WebhookDelivery.id)
        .limit(CHUNK)
    )
    return list(db.session.scalars(query))


def restart(deliveries: list[WebhookDelivery], now: datetime) -> int:
    """Start a new job for each delivery and mark it due now; return how many."""
    for delivery in deliveries:
        delivery.next_attempt_at = now
        start(delivery)
    return len(deliveries)


@job(queue="periodic", timeout=120)
def sweep_webhook_deliveries() -> int:
    """Restart the deliveries whose job was lost; the job commits at its end, the job outbox hands over."""
    return restart(lost(utcnow()), utcnow())

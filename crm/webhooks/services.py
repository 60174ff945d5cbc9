"""Subscriptions: who may see and change which, creating them (the secret once), pausing, replaying."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import Select, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import User, WebhookDelivery, WebhookSubscription, utcnow
from crm.pagination import Page, paginate
from crm.permissions import can
from crm.webhooks import delivery, guard, payloads, signing


def visible_subscriptions(user: User) -> Select:
    """Select the subscriptions the user manages: all for administrators, else their own."""
    query = select(WebhookSubscription).order_by(WebhookSubscription.id.desc())
    if can(user, "webhook.admin"):
        return query
    return query.where(WebhookSubscription.owner_id == user.id)


def subscription_for(user: User, sub_id: int) -> WebhookSubscription | None:
    """Return one subscription the user manages, or None."""
    query = visible_subscriptions(user).where(WebhookSubscription.id == sub_id)
    return db.session.scalars(query).first()


def create_subscription(user: User, url: str, events: Sequence[str], owner_id: int | None = None
                        ) -> tuple[WebhookSubscription, str]:
    """Check and save a subscription; return it with its secret (shown once)."""
    allowed = payloads.subscribable(user)
    if not events or any(name not in allowed for name in events):
        raise UserError(_("Choose at least one of the events offered."), field="events")
    guard.check_url(url)
    owner = db.session.get(User, owner_id) if owner_id and can(user, "webhook.admin") else user
    if owner is None:
        raise UserError(_("Choose who receives the events."), field="owner_id")
    secret = signing.new_secret()
    subscription = WebhookSubscription(owner_id=owner.id, url=url.strip(), secret=secret, events=list(events),
                                       active=True, consecutive_failures=0)
    db.session.add(subscription)
    db.session.flush()
    return subscription, secret


def set_active(subscription: WebhookSubscription, active: bool) -> None:
    """Enable (failures forgiven, the address checked again) or disable a subscription."""
    if active:
        guard.check_url(subscription.url)
        subscription.consecutive_failures, subscription.disabled_at = 0, None
    else:
        subscription.disabled_at = utcnow()
    subscription.active = active


def delete_subscription(subscription: WebhookSubscription) -> None:
    """Delete a subscription and its delivery log."""
    db.session.delete(subscription)


def deliveries_page(subscription: WebhookSubscription, per_page: int, number: int) -> Page:
    """Return one page of the subscription's deliveries, newest first."""
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    return paginate(query.order_by(WebhookDelivery.id.desc()), per_page, number)


def replay(user: User, delivery_pk: int) -> WebhookDelivery | None:
    """Send one delivery of a subscription the user manages again (same delivery id)."""
    row = db.session.get(WebhookDelivery, delivery_pk)
    if row is None or subscription_for(user, row.subscription_id) is None:
        return None
    if not row.subscription.active:
        raise UserError(_("Enable the subscription before sending a delivery again."))
    delivery.replay(row)
    return row

"""Webhooks end to end: deliveries written with the change, signed POSTs to a real receiver, retries,
running a job twice, the SSRF guard, what a liaison's subscription may hear, disabling after failures."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from crm.clock import today
from crm.errors import UserError
from crm.extensions import db
from crm.models import (
    Engagement,
    ImportBatch,
    Interaction,
    Letter,
    Materialisation,
    Membership,
    OutboxMessage,
    Programme,
    StageTransition,
    WebhookDelivery,
    WebhookSubscription,
)
from crm.webhooks import delivery as sending
from crm.webhooks import services
from crm.webhooks.delivery import WebhookDeferredError
from crm.webhooks.payloads import EVENT_PERMISSIONS

ALL_EVENTS = list(EVENT_PERMISSIONS)


def subscribe(user, url: str, events=None, owner=None) -> tuple[WebhookSubscription, str]:
    """Create a subscription through the service, committed."""
    subscription, secret = services.create_subscription(user, url, events or ALL_EVENTS,
                                                        getattr(owner, "id", None))
    db.session.commit()
    return subscription, secret


def verified(secret: str, request: dict) -> bool:
    """Check a received request's signature the way the README tells receivers to."""
    signed = request["headers"]["X-CRM-Webhook-Timestamp"].encode() + b"." + request["body"]
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"]["X-CRM-Webhook-Signature"])


def deliveries(**filters) -> list[WebhookDelivery]:
    """Return the delivery rows, oldest first."""
    return list(db.session.scalars(select(WebhookDelivery).filter_by(**filters).order_by(WebhookDelivery.id)))


def every_event(org, user) -> None:
    """Cause each kind of event once, one commit each."""
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    org.trade_name = "Nuevo nombre"
    db.session.commit()
    engagement = Engagement(organisation_id=org.id, programme_id=programme.id, stage="contacted",
                            stage_since=today())
    db.session.add(engagement)
    db.session.add(StageTransition(engagement=engagement, to_stage="contacted", occurred_on=today()))
    db.session.commit()
    letter = Letter(organisation_id=org.id, kind="loi", status="requested")
    db.session.add(letter)
    db.session.commit()
    letter.status, letter.signed_on = "signed", today()
    db.session.commit()
    db.session.add(Materialisation(letter=letter, occurred_on=today() - timedelta(days=1),
                                   amount=Decimal("100"), amount_usd=Decimal("100")))
    db.session.add(Interaction(organisation_id=org.id, kind="call", occurred_on=today(), staff_id=user.id,
                               summary="Texto confidencial de la llamada"))
    db.session.commit()
    batch = ImportBatch(kind="organisations", filename="a.csv", stored_name="x", user_id=user.id,
                        status="running")
    db.session.add(batch)
    db.session.commit()
    batch.status = "done"
    db.session.commit()


def test_each_event_is_delivered_once_signed_to_a_real_receiver(make_user, make_org, receiver, work):
    admin = make_user(role="admin")
    subscription, secret = subscribe(admin, receiver.url)
    org = make_org("Fundición Webhook SAC")
    every_event(org, admin)
    assert {d.event for d in deliveries()} == set(ALL_EVENTS)  # written with the changes, before any send
    work()
    work()  # nothing left to send: a second pass changes nothing
    received = receiver.delivered()
    assert sorted(r["json"]["event"] for r in received) == sorted(ALL_EVENTS)
    assert all(verified(secret, r) for r in received)
    ids = [r["headers"]["X-CRM-Webhook-Id"] for r in received]
    assert len(set(ids)) == len(ids) == len(ALL_EVENTS)
    assert all(r["json"]["id"] == r["headers"]["X-CRM-Webhook-Id"] for r in received)
    db.session.expire_all()
    assert {d.status for d in deliveries()} == {"sent"}
    assert subscription.consecutive_failures == 0


def test_a_receiver_failing_twice_gets_the_event_exactly_once(make_user, make_org, receiver, work):
    admin = make_user(role="admin")
    subscribe(admin, receiver.url, ["organisation.created"])
    receiver.fail_first = 2
    make_org("Reintentos SAC")
    work()
    assert [r["failed"] for r in receiver.requests] == [True, True, False]
    assert len(receiver.delivered()) == 1
    db.session.expire_all()
    (row,) = deliveries()
    assert (row.status, row.attempts, row.last_status_code) == ("sent", 3, 204)
    assert len({r["headers"]["X-CRM-Webhook-Id"] for r in receiver.requests}) == 1  # one delivery id


def test_running_the_job_twice_delivers_once(make_user, make_org, receiver, webhook_config):
    admin = make_user(role="admin")
    subscribe(admin, receiver.url, ["organisation.created"])
    make_org("Dos veces SAC")
    (row,) = deliveries()
    assert sending.send_delivery(row.id) == "sent"
    assert sending.send_delivery(row.id) == "skipped"  # e.g. the job handed over again after a crash
    assert len(receiver.requests) == 1


def test_replay_sends_the_same_delivery_id_again(make_user, make_org, receiver, work):
    admin = make_user(role="admin")
    subscribe(admin, receiver.url, ["organisation.created"])
    make_org("Repetir SAC")
    work()
    (row,) = deliveries()
    services.replay(admin, row.id)
    db.session.commit()
    work()
    ids = [r["headers"]["X-CRM-Webhook-Id"] for r in receiver.delivered()]
    assert ids == [row.delivery_id, row.delivery_id]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://10.1.2.3/x", "http://169.254.169.254/latest",
                                 "http://localhost/x", "ftp://example.com/x"])
def test_internal_addresses_are_refused_without_the_allow_list(make_user, url):
    admin = make_user(role="admin")
    with pytest.raises(UserError) as refused:
        services.create_subscription(admin, url, ["organisation.created"])
    assert "red interna" in refused.value.message or "http://" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(WebhookSubscription)) == 0


def test_an_address_that_turned_internal_is_refused_at_send_time(app, make_user, make_org, receiver,
                                                                 webhook_config):
    admin = make_user(role="admin")
    subscribe(admin, receiver.url, ["organisation.created"])
    make_org("Rebinding SAC")
    app.config["WEBHOOK_ALLOWED_HOSTS"] = ()  # as if the name now resolved to a loopback address
    (row,) = deliveries()
    with pytest.raises(WebhookDeferredError):
        sending.send_delivery(row.id)
    db.session.expire_all()
    assert receiver.requests == [] and "red interna" in deliveries()[0].last_error


def test_a_liaison_subscription_hears_only_its_scope_and_no_confidential_field(
    liaison_world, make_user, receiver, work
):
    world = liaison_world
    admin = make_user(role="admin")
    subscribe(admin, receiver.url, ["organisation.updated", "interaction.logged"], owner=world.liaison)
    db.session.execute(update(Membership).values(confirmation="confirmed"))
    for org in (world.member, world.assoc, world.outsider):
        org.trade_name = "Cambio"
        org.notes = "Nota interna confidencial"
    db.session.commit()
    db.session.add(Interaction(organisation_id=world.member.id, kind="call", occurred_on=today(),
                               staff_id=admin.id, summary="Texto confidencial"))
    db.session.commit()
    work()
    received = [r["json"] for r in receiver.delivered()]
    heard = sorted(r["data"]["organisation"]["id"] for r in received)
    assert heard == sorted([world.member.id, world.assoc.id])
    assert {r["event"] for r in received} == {"organisation.updated"}  # liaisons do not read interactions
    raw = b"".join(r["body"] for r in receiver.requests).decode()
    assert "confidencial" not in raw and "notes" not in raw and "profile" not in raw


def test_repeated_failures_disable_the_subscription_and_mail_the_owner(
    app, make_user, make_org, receiver, work, smtp_server, monkeypatch
):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_FAILURES", 3)
    for key, value in (("SMTP_HOST", smtp_server.host), ("SMTP_PORT", smtp_server.port),
                       ("SMTP_STARTTLS", False), ("SMTP_SSL", False), ("SMTP_USER", None)):
        monkeypatch.setitem(app.config, key, value)
    owner = make_user(role="admin")
    subscription, _secret = subscribe(owner, receiver.url, ["organisation.created"])
    receiver.fail_first = 100
    make_org("Siempre falla SAC")
    work()
    db.session.expire_all()
    assert not subscription.active and subscription.disabled_at is not None
    assert len(receiver.requests) == 3  # stopped at the limit, not at the end of the retries
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook_disabled")).one()
    assert mail.recipient_id == owner.id
    work()  # the e-mail goes out through the outbox's own jobs
    assert len(smtp_server.messages) == 1 and owner.email in smtp_server.messages[0]["To"]
    assert "Webhook" in smtp_server.messages[0]["Subject"]
    make_org("Ya no se envía SAC")
    assert deliveries(subscription_id=subscription.id)[-1].event == "organisation.created"
    assert len(deliveries()) == 1  # a disabled subscription gets no new deliveries

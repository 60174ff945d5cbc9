"""Lost webhook jobs: a worker SIGKILLed in the middle of a POST, or a Redis that forgot its jobs, does not
lose the delivery; the periodic sweep starts a new job and the receiver gets the same delivery id again."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from sqlalchemy import select, update

from crm.extensions import db
from crm.jobs import dispatch_job_outbox
from crm.models import JobOutbox, WebhookDelivery, utcnow
from crm.webhooks.sweep import lost, sweep_webhook_deliveries
from tests.webhooks.test_webhooks import subscribe


def the_delivery() -> WebhookDelivery:
    """Return the only delivery, read again."""
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery)).one()


def wait_for(check, seconds: float = 30) -> None:
    """Poll until check() holds, or fail."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_delivery_whose_job_vanished_is_sent_by_the_sweep(make_user, make_org, receiver, work, app):
    subscribe(make_user(role="admin"), receiver.url, ["organisation.created"])
    make_org("Redis vacío SAC")
    db.session.query(JobOutbox).delete()  # the job is lost before reaching a worker (Redis restarted empty)
    db.session.commit()
    assert lost(utcnow()) == []  # not yet overdue: the grace period protects jobs that are just slow
    assert lost(utcnow() + timedelta(seconds=app.config["WEBHOOK_SWEEP_GRACE_SECONDS"] + 1))
    db.session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert sweep_webhook_deliveries() == 1
    work()
    assert the_delivery().status == "sent" and len(receiver.delivered()) == 1
    assert sweep_webhook_deliveries() == 0  # sent: the sweep leaves it alone


def test_a_retry_waiting_for_its_backoff_is_not_swept(make_user, make_org, receiver, work, webhook_config):
    webhook_config.update(WEBHOOK_RETRY_INTERVALS=(600,))
    subscribe(make_user(role="admin"), receiver.url, ["organisation.created"])
    receiver.fail_first = 1
    make_org("Paciencia SAC")
    work()
    row = the_delivery()
    due = row.next_attempt_at.replace(tzinfo=None)  # SQLite gives it back without its zone
    assert (row.status, row.attempts) == ("pending", 1)
    assert due > (utcnow() + timedelta(minutes=9)).replace(tzinfo=None)
    assert lost(utcnow() + timedelta(minutes=5)) == []


def test_a_worker_killed_during_the_post_loses_nothing(
    make_user,
    make_org,
    receiver,
    webhook_config,
    worker_process,
    monkeypatch,  # noqa: F811
):
    monkeypatch.setitem(os.environ, "WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    subscribe(make_user(role="admin"), receiver.url, ["organisation.created"])
    receiver.hang_first = 1  # the receiver holds the first POST open: the worker is killed while it waits
    make_org("Trabajador caído SAC")
    dispatch_job_outbox()
    worker = worker_process.start("default")
    wait_for(lambda: len(receiver.requests) == 1)
    worker_process.kill(worker)
    receiver.release.set()
    row = the_delivery()
    assert (row.status, row.attempts) == ("pending", 0)  # the killed attempt was rolled back with the worker
    webhook_config.update(WEBHOOK_SWEEP_GRACE_SECONDS=0)
    db.session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert sweep_webhook_deliveries() == 1
    dispatch_job_outbox()
    worker_process.start("default").wait(60)
    row = the_delivery()
    assert (row.status, row.attempts) == ("sent", 1), worker_process.logs()
    ids = {r["headers"]["X-CRM-Webhook-Id"] for r in receiver.requests}
    assert len(receiver.requests) == 2 and ids == {row.delivery_id}  # the same delivery id: deduplicable

"""Exactly once with retries: Redis down during a request, SMTP down then up, the last retry, a periodic
job enqueued twice, a double dispatch, and two workers claiming the same rows at once."""

from __future__ import annotations

import socket
import time
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from redis import Redis
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from crm.clock import today
from crm.extensions import db
from crm.jobs import queue
from crm.mail.dispatch import dispatch
from crm.mail.jobs import daily_digests, dispatch_outbox, send_outbox_batch
from crm.mail.transport import message_id
from crm.models import FollowUp, OutboxMessage, utcnow
from crm.outbox import outbox_row, queue_mail, queue_mails
from crm.redis_conn import get_redis


def closed_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def statuses() -> Counter:
    """Count outbox rows per status (fresh from the database)."""
    db.session.expire_all()
    return Counter(db.session.scalars(select(OutboxMessage.status)))


def copies(messages, row: OutboxMessage) -> int:
    """Count the received e-mails that carry the row's Message-ID."""
    return sum(str(m["Message-ID"]).strip() == message_id(row.idempotency_key) for m in messages)


def send_jobs() -> list[str]:
    """Return the ids of the send jobs waiting on the mail queue (not the dispatcher's)."""
    return sorted(i for i in queue(get_redis(), "mail").job_ids if i.startswith("mail-"))


@pytest.fixture
def redis_switch(app):
    """Stop (point at a closed port) and restart the app's Redis connection."""
    real = get_redis(app)
    dead = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=1)

    def down() -> None:
        """Point the app at the closed port."""
        app.extensions["redis"] = dead

    def up() -> None:
        """Give the app its real Redis back."""
        app.extensions["redis"] = real

    yield SimpleNamespace(down=down, up=up)
    up()


def test_redis_down_during_a_request_then_mail_goes_out_once_redis_is_back(
    app, client, login, make_user, make_org, work, mail_server, redis_switch
):
    sofia, carlos = make_user("staff"), make_user("staff", email="carlos@pmu.pe", locale="en")
    org = make_org("Fundición Callao SAC")
    login(sofia)
    redis_switch.down()
    data = {
        "kind": "call",
        "occurred_on": today().isoformat(),
        "staff_id": sofia.id,
        "summary": "Llamada",
        "follow_up_due": (today() + timedelta(days=2)).isoformat(),
        "follow_up_assignee": carlos.id,
        "follow_up_description": "Send the offer",
    }
    response = client.post(f"/interactions/new?organisation_id={org.id}", data=data)

    assert response.status_code == 302  # the user's request succeeded without Redis
    assert db.session.scalar(select(FollowUp.description)) == "Send the offer"
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.status == "pending"

    redis_switch.up()  # Redis is back
    dispatch_outbox.enqueue()  # the periodic dispatcher
    work()
    assert statuses() == {"sent": 1}
    assert copies(mail_server.messages, row) == 1 and len(mail_server.messages) == 1


def test_smtp_down_then_up_delivers_exactly_once(app, mail_server, mail_config, make_user, work):
    user = make_user("staff", email="ana@pmu.pe")
    mail_config.update(SMTP_PORT=closed_port(), MAIL_RETRY_INTERVALS=(1, 1, 1))  # the server is down
    queue_mail(
        "follow_up_assigned", user.id, subject_type="followup", subject_id=1, payload={"title": "Tarea"}
    )
    db.session.commit()
    work()

    row = db.session.scalars(select(OutboxMessage)).one()
    db.session.refresh(row)
    assert (row.status, row.attempts, row.claim_token) == (
        "queued",
        1,
        f"mail-{row.id}",
    )  # waits for its retry
    assert "ConnectionRefused" in row.last_error or "Errno" in row.last_error
    mail_config.update(SMTP_PORT=mail_server.port)  # the server is back
    time.sleep(1.1)  # the retry's backoff
    work()  # RQ's scheduler (in the worker) puts the due retry back on the queue

    db.session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 1)
    assert copies(mail_server.messages, row) == 1 and len(mail_server.messages) == 1
    work()  # nothing left to do: still one e-mail
    assert len(mail_server.messages) == 1


def test_after_the_last_retry_the_delivery_is_failed_and_an_admin_can_requeue_it(
    app, client, login, mail_server, mail_config, make_user, work
):
    user = make_user("staff", email="ana@pmu.pe")
    mail_config.update(SMTP_PORT=closed_port(), MAIL_RETRY_INTERVALS=(0, 0))  # 3 attempts, no wait
    row = queue_mail("follow_up_assigned", user.id, subject_type="followup", subject_id=1)
    db.session.commit()
    work()

    db.session.refresh(row)
    assert (row.status, row.attempts) == ("failed", 3) and row.last_error
    assert FailedJobRegistry(queue=queue(get_redis(), "mail")).count == 0  # the job itself ended normally
    login(make_user("admin", locale="en"))
    page = client.get("/system/mail/failed").get_data(as_text=True)
    assert f"/system/mail/{row.id}/requeue" in page and "Send again" in page

    mail_config.update(SMTP_PORT=mail_server.port)
    assert client.post(f"/system/mail/{row.id}/requeue").status_code == 302
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 0)
    assert client.post(f"/system/mail/{row.id}/requeue").status_code == 302  # not failed any more: refused
    work()
    db.session.refresh(row)
    assert row.status == "sent" and copies(mail_server.messages, row) == 1


def test_permanent_refusal_fails_at_once_and_failed_jobs_can_be_requeued(app, client, login, make_user, work):
    from aiosmtpd.controller import Controller

    class Refuse:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            """Refuse every recipient for good."""
            return "550 5.1.1 no such mailbox"

    controller = Controller(Refuse(), hostname="127.0.0.1", port=closed_port())
    controller.start()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS")}
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False)
        row = queue_mail("follow_up_assigned", make_user("staff").id, subject_type="followup", subject_id=1)
        db.session.commit()
        work()
    finally:
        controller.stop()
        app.config.update(saved)
    db.session.refresh(row)
    assert (row.status, row.attempts) == ("failed", 1) and "550" in row.last_error

    failing = send_outbox_batch.enqueue("not-ids", retry=None)  # fails at once, no retry
    work()
    login(make_user("admin", locale="en"))
    page = client.get("/system/mail/failed").get_data(as_text=True)
    assert failing.id in page
    assert client.post(f"/system/jobs/mail/{failing.id}/requeue").status_code == 302
    assert queue(get_redis(), "mail").count == 1
    assert client.post("/system/jobs/mail/unknown-job/requeue").status_code == 404
    assert client.post(f"/system/jobs/nope/{failing.id}/requeue").status_code == 404


def test_the_same_periodic_job_enqueued_twice_sends_one_mail(app, mail_server, make_user, make_org, work):
    ana = make_user("staff", email="ana@pmu.pe")
    db.session.add(
        FollowUp(
            organisation_id=make_org().id,
            assignee_id=ana.id,
            due_on=today() - timedelta(days=1),
            description="x",
        )
    )
    db.session.commit()
    for _ in range(2):  # e.g. two schedulers running during a deployment
        daily_digests.enqueue(today().isoformat())
    work()
    daily_digests.enqueue(today().isoformat())
    work()
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.status == "sent" and len(mail_server.messages) == 1


def test_a_double_dispatch_creates_one_job_per_batch(app, batch, mail_config):
    mail_config.update(MAIL_BATCH_SIZE=10)
    rows = batch(25)
    redis = get_redis()
    assert dispatch(redis, utcnow()) == 25
    assert dispatch(redis, utcnow()) == 0  # nothing due any more
    jobs = send_jobs()
    assert len(jobs) == 3 and any(job.startswith(f"mail-{rows[0].id}-10-") for job in jobs)
    assert statuses() == {"queued": 25}

    db.session.execute(OutboxMessage.__table__.update().values(status="pending"))  # as if the flip was lost
    db.session.commit()
    assert dispatch(redis, utcnow()) == 25
    assert send_jobs() == jobs  # same rows, same job ids, still waiting: no new job


def test_immediate_notices_jump_ahead_of_the_digests(app, mail_config, make_user):
    mail_config.update(MAIL_BATCH_SIZE=10)
    ana = make_user("staff")
    queue_mails([outbox_row("daily_digest", ana.id, f"2026-01-{day:02}", {}) for day in range(1, 26)])
    urgent = queue_mail("follow_up_assigned", ana.id, subject_type="followup", subject_id=5)
    db.session.commit()
    dispatch(get_redis(), utcnow())
    waiting = [i for i in queue(get_redis(), "mail").job_ids if i.startswith("mail-")]
    assert waiting[0] == f"mail-{urgent.id}" and len(waiting) == 4


def test_a_batch_too_slow_for_its_claims_hands_the_rest_back(app, batch, mail_server, mail_config):
    from crm.mail.delivery import deliver

    rows = batch(5)
    mail_config.update(CLAIM_TIMEOUT_SECONDS=0)  # every claim looks abandoned at once: send nothing more
    outcome = deliver([row.id for row in rows])
    assert outcome.summary()["sent"] == 0 and mail_server.messages == []
    assert statuses() == {"pending": 5}  # the next dispatch hands them to a job again, no attempt counted


def test_rows_whose_job_was_lost_are_handed_to_a_new_job(app, batch, mail_server, mail_config, work):
    mail_config.update(MAIL_BATCH_SIZE=10, CLAIM_TIMEOUT_SECONDS=300)
    batch(15)
    redis = get_redis()
    dispatch(redis, utcnow())
    redis.flushdb()  # Redis restarted empty: the send jobs are gone, the rows say 'queued'
    assert dispatch(redis, utcnow()) == 0  # too early to call them lost
    later = utcnow() + timedelta(seconds=301)
    assert dispatch(redis, later) == 15
    assert len(send_jobs()) == 2
    work("mail")
    assert statuses() == {"sent": 15} and len(mail_server.messages) == 15


def test_two_workers_racing_for_the_same_rows_send_each_once(
    app, mail_server, mail_config, batch, worker_process
):
    mail_config.update(MAIL_BATCH_SIZE=200)
    rows = batch(120)
    ids = [row.id for row in rows]
    redis = get_redis()
    for _ in range(2):  # two different jobs over the same rows
        send_outbox_batch.enqueue(ids, connection=redis)
    procs = [worker_process.start(), worker_process.start()]
    assert [proc.wait(90) for proc in procs] == [0, 0], worker_process.logs()
    assert statuses() == {"sent": 120}
    received = Counter(str(m["Message-ID"]).strip() for m in mail_server.messages)
    assert set(received) == {message_id(row.idempotency_key) for row in rows}
    assert set(received.values()) == {1}  # the claim let exactly one worker send each

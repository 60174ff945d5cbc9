"""Two real `flask crm worker` processes share the mail queue and send to the real aiosmtpd server: every
e-mail arrives exactly once, although each batch is enqueued twice so that both workers try to claim the
same rows at the same moment (the claim's UPDATE ... WHERE lets one of them win each row)."""

from __future__ import annotations

from collections import Counter

from rq.job import Job
from sqlalchemy import select

from crm.extensions import db
from crm.jobs import queue
from crm.mail.jobs import send_outbox_batch
from crm.mail.transport import message_id
from crm.models import OutboxMessage
from crm.redis_conn import get_redis

MESSAGES = 120
BATCH = 10


def test_two_workers_send_every_email_exactly_once_even_when_both_claim_the_same_rows(
    app, mail_server, mail_config, batch, worker_process
):
    rows = batch(MESSAGES)
    ids = [row.id for row in rows]
    connection, jobs = get_redis(app), []
    queue(connection, "mail").empty()  # the dispatcher the commit woke: these rows get our jobs only
    for start in range(0, MESSAGES, BATCH):
        chunk = ids[start : start + BATCH]
        for copy in ("a", "b"):  # the same rows twice, one after the other: both workers race for them
            jobs.append(send_outbox_batch.enqueue(chunk, connection=connection, job_id=f"{copy}-{start}"))
    workers = [worker_process.start(), worker_process.start()]
    for proc in workers:
        assert proc.wait(180) == 0, worker_process.logs()

    received = Counter(str(m["Message-ID"]).strip() for m in mail_server.messages)
    assert set(received) == {message_id(row.idempotency_key) for row in rows}
    assert max(received.values()) == 1  # no e-mail twice
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}
    done = [Job.fetch(job.id, connection=connection) for job in jobs]
    assert sum(job.return_value()["sent"] for job in done) == MESSAGES  # each row sent by one job only
    senders = {job.worker_name for job in done if job.return_value()["sent"]}
    assert len(senders) == 2, worker_process.logs()  # both workers sent

"""Claims and retries of dead workers are taken over quickly; a live worker's never are.

A live worker sending slowly keeps its claims (heartbeat) while other workers dispatch and work beside it;
a retry scheduled by a worker SIGKILLed during the SMTP backoff goes out within a minute of a new worker
starting (RQ's scheduler died with the old worker); a database error after the SMTP server accepted an
e-mail is logged as such, and the copy sent later carries the first copy's Message-ID; rows given back
beside a retry of their batch go out at once, not when the retry is due.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from rq import Queue
from rq.job import Job
from sqlalchemy import create_engine, func, make_url, select, text, update
from sqlalchemy.pool import NullPool

from crm.extensions import db
from crm.mail.dispatch import dispatch
from crm.mail.transport import message_id
from crm.models import OutboxMessage, utcnow
from crm.redis_conn import get_redis

SLOW_SECONDS = 5  # one SMTP exchange of the slow server: longer than the claim timeout below
RECOVERY_BOUND = 60


class Sink:
    """An aiosmtpd handler that keeps what it accepts, optionally slowly or with a hook per message."""

    def __init__(self, delay: float = 0, hook: Callable[[], None] | None = None) -> None:
        self.messages: list = []
        self.delay, self.hook = delay, hook

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        """Keep the message, then wait or call the hook before answering OK."""
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        if self.hook is not None:
            self.hook()
        await asyncio.sleep(self.delay)
        return "250 OK"


def free_port() -> int:
    """Return a loopback port nobody listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(mail_config) -> Iterator[Callable[..., SimpleNamespace]]:
    """Start real aiosmtpd servers with a given handler; the app sends to the last one (or to its port)."""
    controllers: list[Controller] = []

    def serve(sink: Sink, port: int | None = None) -> SimpleNamespace:
        """Start a server on the port (default: a free one) and point the mail settings at it."""
        port = port or free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        mail_config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_SSL=False)
        return SimpleNamespace(port=port, messages=sink.messages)

    yield serve
    for controller in controllers:
        controller.stop()


def received(messages: list) -> Counter:
    """Count the received copies per Message-ID."""
    return Counter(str(m["Message-ID"]).strip() for m in messages)


def statuses() -> Counter:
    """Count outbox rows per status (fresh from the database; the read ends at once)."""
    db.session.expire_all()
    counts = Counter(db.session.scalars(select(OutboxMessage.status)))
    db.session.rollback()
    return counts


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll the condition every 0.1 s; return whether it held before the time ran out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_live_slow_workers_claims_are_never_taken_over(app, mail_config, smtp, batch, worker_process, work):
    # A short claim timeout keeps the test short: each SMTP exchange lasts longer than a claim may go stale.
    mail_config.update(CLAIM_TIMEOUT_SECONDS=3, CLAIM_HEARTBEAT_SECONDS=1, MAIL_BATCH_SIZE=10)
    server = smtp(Sink(delay=SLOW_SECONDS))
    rows = batch(3)
    dispatch(get_redis(), utcnow())
    slow = worker_process.start()
    assert wait_until(lambda: statuses()["claimed"] == 3, 30), worker_process.logs()
    first_claim = {row.id: row.claimed_at for row in rows}

    beats = []
    while slow.poll() is None:  # meanwhile other workers dispatch and work, as the scheduler would make them
        time.sleep(1)
        dispatch(get_redis(), utcnow())
        work("mail")
        db.session.expire_all()
        beats += [m.claimed_at for m in db.session.scalars(select(OutboxMessage)) if m.status == "claimed"]
        db.session.rollback()

    assert slow.returncode == 0, worker_process.logs()
    assert statuses() == {"sent": 3}
    assert received(server.messages) == {message_id(row.idempotency_key): 1 for row in rows}
    assert any(beat > max(first_claim.values()) for beat in beats)  # the heartbeat moved claimed_at on
    assert "claim lost" not in "".join(worker_process.logs())


def job_status(connection, ident: str) -> str | None:
    """Return the RQ status of a job (None once it is gone)."""
    status = connection.hget(Job.key_for(ident), "status")
    return status.decode() if status else None


def test_a_retry_scheduled_by_a_killed_worker_goes_out_within_a_minute_of_a_new_worker(
    app, mail_config, smtp, batch, worker_process
):
    port = free_port()  # nothing listens yet: the first attempt fails and RQ schedules the retry
    mail_config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, MAIL_RETRY_INTERVALS=(5, 300)
    )
    rows = batch(2)
    connection = get_redis()
    dispatch(connection, utcnow())
    ident = db.session.scalar(select(OutboxMessage.claim_token))  # while 'queued': the send job's id
    db.session.rollback()
    holder = worker_process.start("mail", burst=False)  # runs RQ's scheduler, which holds its lock
    assert wait_until(lambda: job_status(connection, ident) == "scheduled", 30), worker_process.logs()
    worker_process.kill(holder)  # in the backoff: the retry waits in RQ's scheduled registry
    server = smtp(Sink(), port)  # the SMTP server is back

    started = time.monotonic()
    worker_process.scheduler()
    worker_process.start("mail", "periodic", burst=False)
    arrived = wait_until(lambda: len(server.messages) == len(rows), RECOVERY_BOUND + 15)
    elapsed = time.monotonic() - started

    assert arrived, worker_process.logs()
    assert elapsed <= RECOVERY_BOUND, f"the retry went out {elapsed:.0f} s after the new worker started"
    assert wait_until(lambda: statuses() == {"sent": len(rows)}, 10)
    assert received(server.messages) == {message_id(row.idempotency_key): 1 for row in rows}
    print(f"\nretry of a killed worker: sent {elapsed:.1f} s after a new worker started")


def test_rows_given_back_beside_a_retry_of_the_same_batch_go_out_now(app, mail_server, batch, work):
    rows = batch(3)
    connection = get_redis()
    dispatch(connection, utcnow())
    ident = db.session.scalar(select(OutboxMessage.claim_token))
    # As after a database error: RQ holds the failed job's retry in its backoff, the rows were given back.
    queue = Queue("mail", connection=connection)
    job = Job.fetch(ident, connection=connection)
    queue.remove(job)
    queue.schedule_job(job, utcnow() + timedelta(minutes=5))
    db.session.execute(update(OutboxMessage).values(status="pending", claim_token=None))
    db.session.commit()

    dispatch(connection, utcnow())
    work("mail")

    assert statuses() == {"sent": len(rows)}
    assert job_status(connection, ident) == "scheduled"  # the retry, when it runs, finds them sent


def block_the_database(url: str) -> None:
    """Make the worker's next commits fail: lock SQLite for longer than its busy timeout, or cut
    PostgreSQL's connections (as a database restart does)."""
    address = make_url(url)
    if address.get_backend_name() == "sqlite":

        def hold() -> None:
            """Keep an exclusive lock for 7 s (the driver waits 5 s, then raises 'database is locked')."""
            lock = sqlite3.connect(address.database, isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")
            time.sleep(7)
            lock.execute("ROLLBACK")
            lock.close()

        threading.Thread(target=hold, daemon=True).start()
        time.sleep(0.2)  # locked before the server answers OK
        return
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    engine.dispose()


def test_a_database_error_after_sending_is_logged_as_such_and_the_copy_keeps_the_message_id(
    app, mail_config, smtp, batch, worker_process, work
):
    mail_config.update(CLAIM_TIMEOUT_SECONDS=3, CLAIM_HEARTBEAT_SECONDS=1, MAIL_BATCH_SIZE=10)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    hooked = []

    def once() -> None:
        """Break the database right after the server has the first e-mail."""
        if not hooked:
            hooked.append(True)
            block_the_database(url)

    server = smtp(Sink(hook=once))
    rows = batch(3)
    dispatch(get_redis(), utcnow())
    worker = worker_process.start()
    worker.wait(60)
    logs = "".join(worker_process.logs())
    assert "sent, but the database failed to record it" in logs, logs
    assert "cannot render" not in logs
    assert statuses()["failed"] == 0  # the e-mail went out: it must not be marked failed

    time.sleep(3.5)  # the claim of the unrecorded e-mail goes stale; the dispatcher hands it over
    dispatch(get_redis(), utcnow())
    work("mail")

    assert statuses() == {"sent": 3}
    copies = received(server.messages)
    assert set(copies) == {message_id(row.idempotency_key) for row in rows}
    first = message_id(rows[0].idempotency_key)
    assert copies[first] == 2  # the one unavoidable duplicate: accepted by the server, not recorded
    assert sum(copies.values()) == 4
    assert len({str(m["Message-ID"]) for m in server.messages if str(m["Message-ID"]).strip() == first}) == 1
    assert db.session.scalar(select(func.count()).where(OutboxMessage.message_id == first)) == 1

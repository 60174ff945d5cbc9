"""Each e-mail's 'sent' state is committed before the SMTP server can accept the next one, although the
commit runs beside the next e-mail's rendering and envelope (crm/mail/recorder.py); with and without the
server's PIPELINING. A worker SIGKILLed while the server takes an e-mail from a batch re-sends that one
e-mail only; refusals answered to pipelined commands fail or defer the e-mail as before."""

from __future__ import annotations

import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from crm.extensions import db
from crm.mail.dispatch import dispatch
from crm.mail.transport import message_id
from crm.models import OutboxMessage, utcnow
from crm.redis_conn import get_redis


class Server:
    """An aiosmtpd handler: keeps each message, notes how many rows were 'sent' when it arrived.

    pipelining: advertise PIPELINING (RFC 2920); refuse: RCPT address -> refusal line; hook(n): called
    with the message's number (1, 2, …) before the server answers its final dot.
    """

    def __init__(self, url: str, pipelining: bool, refuse: dict | None = None, hook: Callable | None = None):
        self.engine = create_engine(url, poolclass=NullPool)
        self.pipelining, self.refuse, self.hook = pipelining, refuse or {}, hook
        self.messages: list = []
        self.sent_before: list[int] = []  # per message: rows already 'sent' when its final dot arrived

    async def handle_EHLO(self, server, session, envelope, hostname, responses) -> list[str]:  # noqa: N802
        """Answer EHLO as aiosmtpd does, with PIPELINING when asked to."""
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]] if self.pipelining else responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        """Accept the recipient unless told to refuse it."""
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        """Note the committed 'sent' rows, keep the message, call the hook, accept."""
        with self.engine.connect() as connection:
            sent = select(func.count()).where(OutboxMessage.status == "sent")
            self.sent_before.append(connection.scalar(sent))
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        if self.hook is not None:
            self.hook(len(self.messages))
        return "250 OK"


@pytest.fixture
def serve(app, mail_config) -> Iterator[Callable[..., Server]]:
    """Start a Server on a free port and point the app's mail settings at it."""
    started: list[tuple[Controller, Server]] = []

    def start(**options: object) -> Server:
        """Start the server with the given options."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        handler = Server(app.config["SQLALCHEMY_DATABASE_URI"], **options)
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append((controller, handler))
        mail_config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_SSL=False)
        return handler

    yield start
    for controller, handler in started:
        controller.stop()
        handler.engine.dispose()


def statuses() -> Counter:
    """Count outbox rows per status (fresh from the database; the read ends at once)."""
    db.session.expire_all()
    counts = Counter(db.session.scalars(select(OutboxMessage.status)))
    db.session.rollback()
    return counts


def copies(messages: list) -> Counter:
    """Count the received copies per Message-ID."""
    return Counter(str(m["Message-ID"]).strip() for m in messages)


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelining", "stepwise"])
def test_each_e_mail_is_recorded_sent_before_the_server_can_accept_the_next(
    app, mail_config, serve, batch, work, pipelining
):
    mail_config.update(MAIL_BATCH_SIZE=25)
    server = serve(pipelining=pipelining)
    rows = batch(25)
    dispatch(get_redis(), utcnow())
    work("mail")

    assert statuses() == {"sent": 25}
    assert copies(server.messages) == {message_id(row.idempotency_key): 1 for row in rows}
    # When the n-th e-mail's final dot reached the server, the n-1 before it were committed 'sent'.
    assert server.sent_before == list(range(25))


@pytest.mark.parametrize(("pipelining", "killed_at"), [(True, 1), (True, 6), (False, 4)])
def test_a_worker_killed_while_the_server_takes_an_e_mail_resends_that_one_only(
    app, mail_config, serve, batch, worker_process, work, pipelining, killed_at
):
    mail_config.update(CLAIM_TIMEOUT_SECONDS=3, CLAIM_HEARTBEAT_SECONDS=1, MAIL_BATCH_SIZE=10)
    workers: list = []

    def kill(number: int) -> None:
        """SIGKILL the worker and its work horse once the server holds the chosen e-mail, before its OK."""
        if number == killed_at:
            worker_process.kill(workers[0])

    server = serve(pipelining=pipelining, hook=kill)
    rows = batch(10)
    dispatch(get_redis(), utcnow())
    workers.append(worker_process.start())
    workers[0].wait(60)

    # Killed with e-mail k accepted and unanswered: the k - 1 before it are recorded, the rest claimed.
    expected = Counter(sent=killed_at - 1, claimed=10 - killed_at + 1)  # missing counts as 0
    assert statuses() == expected, worker_process.logs()
    time.sleep(3.5)  # the dead worker's claims go stale; the dispatcher hands them over
    dispatch(get_redis(), utcnow())
    work("mail")

    assert statuses() == {"sent": 10}
    twice = message_id(rows[killed_at - 1].idempotency_key)
    once = {message_id(row.idempotency_key): 1 for row in rows}
    assert copies(server.messages) == once | {twice: 2}  # the one in flight, and nothing else, went out twice


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelining", "stepwise"])
def test_refusals_of_pipelined_commands_fail_or_defer_only_their_e_mail(
    app, mail_config, serve, batch, work, pipelining
):
    mail_config.update(MAIL_BATCH_SIZE=10, MAIL_RETRY_INTERVALS=(300,))
    refuse = {"r1@pmu.pe": "550 5.1.1 no such user", "r3@pmu.pe": "451 4.3.0 try again later"}
    server = serve(pipelining=pipelining, refuse=refuse)
    rows = batch(6, recipients=6)
    dispatch(get_redis(), utcnow())
    work("mail")

    final = {row.id: row for row in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}
    by_address = {row.recipient.email: final[row.id].status for row in rows}
    # r0 sent; r1 refused for good; at r3 the server asks to retry later: r3 and the rest wait for it.
    assert by_address == {
        "r0@pmu.pe": "sent",
        "r1@pmu.pe": "failed",
        "r2@pmu.pe": "sent",
        "r3@pmu.pe": "queued",
        "r4@pmu.pe": "queued",
        "r5@pmu.pe": "queued",
    }
    assert "550" in final[rows[1].id].last_error
    assert copies(server.messages) == {message_id(rows[i].idempotency_key): 1 for i in (0, 2)}
    db.session.rollback()

"""Worker processes SIGKILLed at random points while sending: every e-mail still arrives, the dead workers'
claims are taken over within a minute with the default settings (heartbeat, claim timeout, the periodic
dispatcher run by the real scheduler), and the only duplicates possible (killed between the SMTP server's OK
and the 'sent' commit) carry the same Message-ID."""

from __future__ import annotations

import random
import time
from collections import defaultdict

from sqlalchemy import func, select

from crm.extensions import db
from crm.mail.dispatch import dispatch
from crm.mail.transport import message_id
from crm.models import OutboxMessage, utcnow
from crm.redis_conn import get_redis

MESSAGES = 300
ROUNDS = 2  # each round: two workers sending side by side, both SIGKILLed at random moments
RECOVERY_BOUND = 60  # seconds from the last kill to the last e-mail


def wait_for_progress(procs, messages, before: int, deadline: float) -> None:
    """Wait until one more e-mail arrived (or the workers ended, or time ran out)."""
    while len(messages) <= before and any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        time.sleep(0.005)


def all_sent(expected: int, deadline: float) -> bool:
    """Wait until every outbox row is 'sent' (True) or the deadline passed (False)."""
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == expected:
            return True
        db.session.rollback()  # end the read: SQLite writers must not wait for this session
        time.sleep(0.25)
    return False


def test_sigkilled_workers_lose_nothing_are_taken_over_within_a_minute_and_duplicates_share_message_ids(
    app, mail_server, mail_config, batch, worker_process
):
    mail_config.update(MAIL_BATCH_SIZE=10)  # everything else as configured by default
    rows = batch(MESSAGES)
    dispatch(get_redis(), utcnow())
    rng = random.Random(5)
    kills = 0
    for _round in range(ROUNDS):
        procs = [worker_process.start(), worker_process.start()]
        for proc in procs:
            wait_for_progress(procs, mail_server.messages, len(mail_server.messages), time.monotonic() + 30)
            time.sleep(rng.uniform(0, 0.3))
            if proc.poll() is None:
                worker_process.kill(proc)
                kills += 1
    last_kill = time.monotonic()
    worker_process.scheduler()  # the periodic dispatcher hands the dead workers' claims to a new job
    worker_process.start("mail", "periodic", burst=False)
    finished = all_sent(MESSAGES, last_kill + RECOVERY_BOUND + 30)
    recovery = time.monotonic() - last_kill

    assert finished, worker_process.logs()
    assert recovery <= RECOVERY_BOUND, f"the last e-mail went out {recovery:.0f} s after the last kill"
    expected = {message_id(row.idempotency_key) for row in rows}
    received = [str(m["Message-ID"]).strip() for m in mail_server.messages]
    assert set(received) == expected  # every e-mail arrived
    copies = defaultdict(set)
    for mail in mail_server.messages:
        copies[(str(mail["To"]), str(mail["Subject"]))].add(str(mail["Message-ID"]).strip())
    assert all(len(ids) == 1 for ids in copies.values())  # a duplicate is the same message, same Message-ID
    duplicates = len(received) - len(expected)
    assert 0 <= duplicates <= kills  # at most the one message in flight per killed worker
    print(
        f"\nkill test: {MESSAGES} e-mails, {kills} workers SIGKILLed, {duplicates} duplicate(s), "
        f"last e-mail {recovery:.1f} s after the last kill"
    )

"""Worker processes SIGKILLed at random points while sending: every e-mail still arrives, and the only
duplicates possible (killed between the SMTP server's OK and the 'sent' commit) carry the same Message-ID."""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict

from sqlalchemy import select

from crm.extensions import db
from crm.mail.dispatch import dispatch
from crm.mail.transport import message_id
from crm.models import OutboxMessage, utcnow
from crm.redis_conn import get_redis

MESSAGES = 300
ROUNDS = 2  # each round: two workers sending side by side, both SIGKILLed at random moments


def wait_for_progress(procs, messages, before: int, deadline: float) -> None:
    """Wait until one more e-mail arrived (or the workers ended, or time ran out)."""
    while len(messages) <= before and any(p.poll() is None for p in procs) and time.monotonic() < deadline:
        time.sleep(0.005)


def test_sigkilled_workers_lose_nothing_and_duplicates_share_their_message_id(
    app, mail_server, mail_config, batch, worker_process
):
    mail_config.update(MAIL_BATCH_SIZE=10, CLAIM_TIMEOUT_SECONDS=3, MAIL_RETRY_INTERVALS=(1,))
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
    time.sleep(3.2)  # the dead workers' claims become stale
    dispatch(get_redis(), utcnow())  # the periodic dispatcher hands them to a new job
    survivor = worker_process.start()
    assert survivor.wait(60) == 0, worker_process.logs()

    db.session.expire_all()
    statuses = Counter(db.session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent": MESSAGES}, statuses
    expected = {message_id(row.idempotency_key) for row in rows}
    received = [str(m["Message-ID"]).strip() for m in mail_server.messages]
    assert set(received) == expected  # every e-mail arrived
    copies = defaultdict(set)
    for mail in mail_server.messages:
        copies[(str(mail["To"]), str(mail["Subject"]))].add(str(mail["Message-ID"]).strip())
    assert all(len(ids) == 1 for ids in copies.values())  # a duplicate is the same message, same Message-ID
    duplicates = len(received) - len(expected)
    assert 0 <= duplicates <= kills  # at most the one message in flight per killed worker
    print(f"\nkill test: {MESSAGES} e-mails, {kills} workers SIGKILLed, {duplicates} duplicate(s)")

"""Keep a batch's claims alive while it sends: a heartbeat refreshes their claimed_at.

A claim counts as abandoned once its claimed_at is older than CLAIM_TIMEOUT_SECONDS. A thread of the
sending process rewrites claimed_at of the rows it still owns every CLAIM_HEARTBEAT_SECONDS, on a
connection of its own, so a live worker's claims stay fresh however slow one SMTP exchange is, and a
killed worker's claims go stale within CLAIM_TIMEOUT_SECONDS. The sender sends only while the lease is
held: the last beat is recent and no gap between beats was long enough for another worker to take over.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crm.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)


class ClaimLease:
    """Refresh the claims of one batch from a daemon thread until the batch ends."""

    def __init__(self, engine: Engine, ids: list[int], token: str, every: float, timeout: float) -> None:
        self.engine, self.ids, self.token = engine, ids, token
        self.every, self.timeout = every, timeout
        self.last_beat = time.monotonic()  # the claim's own commit was the first beat
        self.broken = False
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name="outbox-claim-heartbeat", daemon=True)

    def run(self) -> None:
        """Beat every `every` seconds until stopped."""
        while not self.stopped.wait(self.every):
            self.beat()

    def beat(self) -> None:
        """Move claimed_at of the rows still claimed under our token to now."""
        table = OutboxMessage.__table__
        mine = table.c.id.in_(self.ids) & (table.c.claim_token == self.token) & (table.c.status == "claimed")
        try:
            with self.engine.begin() as connection:
                connection.execute(table.update().where(mine).values(claimed_at=utcnow()))
        except SQLAlchemyError as exc:  # the sender stops once the lease is no longer sure
            log.warning("outbox: claim heartbeat failed: %s", exc)
            return
        beat = time.monotonic()
        # Our claims looked abandoned for a while: another worker may have taken some over meanwhile.
        self.broken = self.broken or beat - self.last_beat >= 0.8 * self.timeout  # 0.8: clocks differ
        self.last_beat = beat

    def held(self) -> bool:
        """Return whether no other worker can have taken our claims: a beat in the last half timeout."""
        if not self.ids:
            return True  # nothing to keep alive (or a single-process in-memory database)
        return not self.broken and time.monotonic() - self.last_beat < self.timeout / 2

    def __enter__(self) -> ClaimLease:
        if self.ids:
            self.thread.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(self.every)  # a beat hung on a dead database must not hold the batch up

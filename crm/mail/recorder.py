"""Record each e-mail's final state in a commit of its own, one e-mail behind the sender.

The exactly-once design commits every e-mail's final state ('sent', 'skipped', 'failed') on its own,
and no e-mail may be accepted by the SMTP server before the previous one's 'sent' state is committed:
then at most one e-mail at a time is accepted but not recorded (the window a crash re-sends, with the
same Message-ID). The commit need not block everything else, though: a thread of the sending process
writes it on a connection of its own while the main thread renders the next e-mail and sends its
envelope and body; the mailer waits for the commit only before the final dot (crm/mail/transport.py).
That hides the commit's latency (a disk flush) behind the next e-mail's work without widening the window.

An in-memory SQLite database has one connection for the whole process: there the write runs in place.
"""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, bindparam
from sqlalchemy.exc import SQLAlchemyError

from crm.extensions import db
from crm.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What a batch did, returned as the job's result."""

    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lost_claim: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """Return the counts."""
        return {k: len(v) for k, v in self.__dict__.items()}


@lru_cache(maxsize=16)
def final_update(columns: tuple[str, ...]) -> Any:
    """Build (once per set of columns) the UPDATE that records a row's final state under our claim.

    It runs once per e-mail: a prepared Core statement spares SQLAlchemy rebuilding and re-keying it.
    """
    table = OutboxMessage.__table__
    values = {name: bindparam(f"new_{name}") for name in (*columns, "updated_at")}
    mine = (table.c.id == bindparam("row_id")) & (table.c.claim_token == bindparam("token"))
    return table.update().where(mine).values(claim_token=None, **values)


def final_params(row_id: int, token: str, values: dict[str, object]) -> dict[str, object]:
    """Return the parameters of final_update for one row."""
    params: dict[str, object] = {f"new_{name}": value for name, value in values.items()}
    params.update(row_id=row_id, token=token, new_updated_at=utcnow())
    return params


def finish(row_id: int, token: str, **values: object) -> bool:
    """Set the row's final state if we still own the claim, in the session; COMMIT; return whether we did."""
    params = final_params(row_id, token, values)
    result = db.session.execute(final_update(tuple(sorted(values))), params)
    db.session.commit()  # checkpoint: this e-mail's final state
    return result.rowcount == 1


def own_connections(engine: Engine) -> bool:
    """Return whether other threads may open connections of their own (not an in-memory database)."""
    return engine.url.database not in (None, "", ":memory:")


class Recorder:
    """Commit final states in order, at most one in flight, from a thread with its own connection."""

    def __init__(self, engine: Engine, token: str, outcome: Outcome) -> None:
        self.engine, self.token, self.outcome = engine, token, outcome
        self.threaded = own_connections(engine)
        self.pool: ThreadPoolExecutor | None = None  # started with the first commit
        self.connection: Connection | None = None  # opened and used by the recorder's thread only
        self.pending: tuple[Future[bool], int, str] | None = None

    def submit(self, row_id: int, bucket: str, **values: object) -> None:
        """Start committing a row's final state ('sent', 'skipped' or 'failed': the outcome's list)."""
        self.settle()  # one commit in flight at most: they land in the order of the sending
        statement = final_update(tuple(sorted(values)))
        params = final_params(row_id, self.token, values)
        if not self.threaded:
            self.note(row_id, bucket, self.guard(row_id, bucket, lambda: in_session(statement, params)))
            return
        self.pending = (self.start().submit(self.write, statement, params), row_id, bucket)

    def start(self) -> ThreadPoolExecutor:
        """Start the recorder's thread, which opens its connection at once (beside the first e-mail)."""
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="outbox-recorder")
            self.pool.submit(self.connect)  # a failure shows at the first commit, which reconnects
        return self.pool

    def connect(self) -> None:
        """In the recorder's thread: open the connection, in autocommit.

        Autocommit: each UPDATE is its own transaction, committed (and flushed to disk) before the
        statement returns, in one round trip instead of an UPDATE and a COMMIT.
        """
        if self.connection is None:
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def settle(self) -> None:
        """Wait for the commit in flight; raise its database error (that e-mail stays claimed)."""
        if self.pending is None:
            return
        future, row_id, bucket = self.pending
        self.pending = None
        self.note(row_id, bucket, self.guard(row_id, bucket, future.result))

    def guard(self, row_id: int, bucket: str, wait: Any) -> bool:
        """Return the commit's result; log a failure to record a sent e-mail as such, and re-raise."""
        try:
            return bool(wait())
        except SQLAlchemyError:
            if bucket == "sent":
                log.exception("outbox %s: sent, but the database failed to record it", row_id)
            raise

    def note(self, row_id: int, bucket: str, recorded: bool) -> None:
        """Add the row to the outcome (a sent row whose claim was lost meanwhile is noted as such)."""
        if bucket == "sent" and not recorded:
            log.warning("outbox %s: claim lost while sending (a copy may follow)", row_id)
            bucket = "lost_claim"
        getattr(self.outcome, bucket).append(row_id)

    def write(self, statement: Any, params: dict[str, object]) -> bool:
        """In the recorder's thread: UPDATE and COMMIT on its own connection; return whether it matched."""
        try:
            self.connect()
            assert self.connection is not None  # noqa: S101 - for the type checker
            result = self.connection.execute(statement, params)  # checkpoint: this e-mail's final state
        except SQLAlchemyError:
            self.disconnect()  # a broken connection is not reused
            raise
        return result.rowcount == 1

    def disconnect(self) -> None:
        """In the recorder's thread: give the connection back to the pool (quietly)."""
        if self.connection is not None:
            try:
                self.connection.close()
            except SQLAlchemyError:
                log.warning("outbox: could not close the recorder's connection", exc_info=True)
            self.connection = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self.settle()
            else:  # the batch already failed and its error comes first; a failed commit is still logged
                with contextlib.suppress(SQLAlchemyError):
                    self.settle()
        finally:
            if self.pool is not None:
                self.pool.submit(self.disconnect).result()
                self.pool.shutdown(wait=True)


def in_session(statement: Any, params: dict[str, object]) -> bool:
    """Run the UPDATE and COMMIT in the session (in-memory databases); return whether it matched."""
    result = db.session.execute(statement, params)
    db.session.commit()  # checkpoint: this e-mail's final state
    return result.rowcount == 1

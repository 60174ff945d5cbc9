"""Jobs: the queues, the @job decorator and the one durable way to start work that must not be lost.

A job is a function decorated with @job, which declares its queue, timeout and retry once. It runs as one
transaction: committed at its end, rolled back on an exception (a named checkpoint may commit earlier,
marked "checkpoint: ..."); services inside it flush and never commit. Jobs take ids, reload rows and never
read current_user. `func.enqueue(*args)` puts the function itself on its queue (RQ stores its import path,
which names this very wrapper).

Work that must not be lost (an import, a snapshot someone asked for) starts with `func.start(*args,
job_id=...)`: a job_outbox row written in the caller's transaction. Once the request commits, the row is
handed to Redis at once; if Redis does not answer, the periodic dispatcher hands it over when it does.
A handed row is deleted in the same transaction that claims it, so two dispatchers never enqueue it twice.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job
from sqlalchemy import delete, select
from sqlalchemy.exc import InterfaceError, OperationalError

from crm.extensions import db
from crm.models import JobOutbox
from crm.redis_conn import get_redis

QUEUES = ("mail", "default", "periodic", "reports", "capture")  # capture: IMAP reads, kept apart
DEFAULT_TIMEOUT = 300
LIVE = (b"queued", b"started", b"scheduled", b"deferred")
DISPATCH_LIMIT = 1000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    """A job option read from the app's config when the job is enqueued (tuned per deployment)."""

    name: str
    convert: Callable[[Any], Any] | None = None

    def value(self) -> Any:
        """Return the configured value, converted."""
        raw = current_app.config[self.name]
        return self.convert(raw) if self.convert else raw


def queue(connection: Redis, name: str = "default") -> Queue:
    """Return a named queue on the given connection."""
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=connection, default_timeout=DEFAULT_TIMEOUT)


def job(queue: str = "default", timeout: int | Setting = DEFAULT_TIMEOUT, retry: Any = None, **defaults: Any):
    """Declare a job: its queue, timeout, retry and other RQ options, and its transaction boundary."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def decorate(func: Callable) -> Callable:
        """Wrap the function (same module and name, so RQ's import path finds the wrapper)."""

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            """Run the job as one transaction."""
            try:
                result = func(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
            db.session.commit()
            return result

        run.queue_name = queue  # type: ignore[attr-defined]
        run.job_options = {"job_timeout": timeout, "retry": retry, **defaults}  # type: ignore[attr-defined]
        run.enqueue = functools.partial(enqueue, run)  # type: ignore[attr-defined]
        run.start = functools.partial(start, run)  # type: ignore[attr-defined]
        return run

    return decorate


def options_of(func: Callable) -> dict[str, Any]:
    """Return the job's declared RQ options, settings read from the config."""
    return {k: v.value() if isinstance(v, Setting) else v for k, v in func.job_options.items()}  # type: ignore[attr-defined]


def enqueue(func: Callable, *args: Any, connection: Redis | None = None, **rq_options: Any) -> Job:
    """Put the job on its queue now (queue_name overrides the declared queue); jobs take ids, not objects."""
    name = rq_options.pop("queue_name", None) or func.queue_name  # type: ignore[attr-defined]
    target = queue(connection if connection is not None else get_redis(), name)
    return target.enqueue(func, *args, **{**options_of(func), **rq_options})


def path_of(func: Callable) -> str:
    """Return the job's import path, as RQ stores it."""
    return f"{func.__module__}.{func.__qualname__}"


def resolve(path: str) -> Callable:
    """Return the job stored under an import path (only functions declared with @job)."""
    module, _, name = path.rpartition(".")
    func = getattr(importlib.import_module(module), name, None)
    if not callable(getattr(func, "enqueue", None)):
        raise LookupError(f"{path} is not a job")
    return func  # type: ignore[return-value]


# --- the durable start: the job outbox -------------------------------------------------------------------


def start(func: Callable, *args: Any, job_id: str) -> None:
    """Write the job to the outbox in the caller's transaction; it goes to Redis once that commits."""
    db.session.add(JobOutbox(job=path_of(func), args=list(args), job_id=job_id))
    if has_request_context():
        g.setdefault("started_jobs", []).append(job_id)


def waiting(job_id: str) -> bool:
    """Return whether a job of that id is still in the outbox, not yet handed to Redis."""
    query = select(JobOutbox.id).where(JobOutbox.job_id == job_id).limit(1)
    return db.session.scalars(query).first() is not None


def alive(connection: Redis, job_id: str) -> bool:
    """Return whether a job of that id waits or runs in Redis."""
    return connection.hget(Job.key_for(job_id), "status") in LIVE


def hand_over_row(connection: Redis, row_id: int) -> str | None:
    """Claim one outbox row by deleting it, enqueue its job unless alive, COMMIT; return the job id."""
    row = db.session.get(JobOutbox, row_id)
    try:
        func = resolve(row.job) if row is not None else None
    except (LookupError, ImportError):
        log.exception("job outbox: row %s names no job; it stays", row_id)
        return None
    deleted = db.session.execute(delete(JobOutbox).where(JobOutbox.id == row_id)).rowcount
    if row is None or deleted != 1:
        db.session.rollback()  # another dispatcher handed it over
        return None
    try:
        if not alive(connection, row.job_id):
            enqueue(func, *row.args, connection=connection, job_id=row.job_id)
    except BaseException:
        db.session.rollback()  # the row stays: the next dispatch tries again
        raise
    db.session.commit()  # checkpoint: the row's job is on a queue
    return row.job_id


def hand_over(query: Any) -> set[str]:
    """Hand the outbox rows the query selects (ids) to Redis; stop at the first Redis error."""
    handed: set[str] = set()
    row_ids = list(db.session.scalars(query.limit(DISPATCH_LIMIT)))
    db.session.commit()  # checkpoint: end the read before talking to Redis
    try:
        connection = get_redis()
        for row_id in row_ids:
            if (ident := hand_over_row(connection, row_id)) is not None:
                handed.add(ident)
    except (RedisError, OSError) as exc:
        log.warning("job outbox: Redis did not answer (%s); %s job(s) wait", exc, len(row_ids) - len(handed))
    return handed


def hand_over_started() -> set[str]:
    """Hand the jobs this request started to Redis now that it committed; return the ids now queued."""
    idents = g.pop("started_jobs", []) if has_request_context() else []
    if not idents:
        return set()
    return hand_over(select(JobOutbox.id).where(JobOutbox.job_id.in_(idents)).order_by(JobOutbox.id))


@job(queue="periodic", timeout=300)
def dispatch_job_outbox() -> int:
    """Hand every job still in the outbox to Redis (Redis was down when it was started)."""
    return len(hand_over(select(JobOutbox.id).order_by(JobOutbox.id)))


def after_request(response: Response) -> Response:
    """After the request's commit, hand its started jobs to Redis (rolled back: there is nothing to hand)."""
    if response.status_code < 400:
        try:
            hand_over_started()
        except (OperationalError, InterfaceError):  # committed: the periodic dispatcher hands them over
            current_app.logger.warning("database lost after a commit; the jobs wait in the outbox")
            db.session.remove()
    else:
        g.pop("started_jobs", None)
    return response


def init_app(app: Flask) -> None:
    """Register the hand-over after each request."""
    app.after_request(after_request)

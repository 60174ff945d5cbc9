"""Worker and scheduler entry points, run through `flask crm worker|scheduler`."""

from __future__ import annotations

import importlib
import os
import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask import Flask
from redis import Redis
from rq import Worker
from rq.cron import CronScheduler
from rq.job import Job

from workers.periodic import PERIODIC_JOBS
from workers.queues import QUEUES, queue

JOB_MODULES = ("workers.jobs", "workers.mail", "workers.reminders", "workers.metrics")
_app: Flask | None = None
_pool_pid: int | None = None  # the process whose database pool is safe to use


class AppContextJob(Job):
    """A job that runs inside the Flask application context."""

    def perform(self) -> Any:
        """Run the job with the app context, on a connection pool of this very process."""
        from crm.extensions import db

        global _pool_pid
        if _app is None:
            return super().perform()
        with _app.app_context():
            if _pool_pid != os.getpid():
                db.engine.dispose(close=False)  # a forked child must not share the parent's sockets
                _pool_pid = os.getpid()
            try:
                return super().perform()
            finally:
                db.session.remove()


def run_worker(app: Flask, connection: Redis, names: Sequence[str] = QUEUES, burst: bool = False) -> bool:
    """Process jobs from the named queues in app context.

    with_scheduler: RQ's scheduler moves due retries (SMTP backoff) back onto their queue; one worker
    at a time holds its lock, in burst mode it just enqueues what is due and goes on.
    """
    from crm.mail.warmup import warm_up

    global _app
    _app = app
    for module in JOB_MODULES:  # imported once here, not by every forked work horse
        importlib.import_module(module)
    warm_up(app)  # templates compiled once here, inherited by every horse as well
    queues = [queue(connection, name) for name in names]
    worker = Worker(queues, connection=connection, job_class=AppContextJob)
    return worker.work(burst=burst, with_scheduler=True)


def stop_on_sigterm(_signum: int, _frame: object) -> None:
    """Turn a SIGTERM that arrives before RQ installs its handlers into a clean exit (finally runs)."""
    raise KeyboardInterrupt


@contextmanager
def app_redis(app: Flask) -> Iterator[Redis]:
    """Yield the app's Redis; afterwards close it and stop the embedded server if this process started it."""
    from crm.redis_conn import close, get_redis

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    try:
        yield get_redis(app)
    except KeyboardInterrupt:
        pass  # Ctrl-C or SIGTERM while starting: a normal stop
    finally:
        close(app)


def serve_worker(app: Flask, names: Sequence[str] = QUEUES, burst: bool = False) -> None:
    """Run `flask crm worker` until stopped, then leave no Redis server of its own behind."""
    with app_redis(app) as connection:
        run_worker(app, connection, names, burst=burst)


def serve_scheduler(app: Flask) -> None:
    """Run `flask crm scheduler` until stopped, then leave no Redis server of its own behind."""
    with app_redis(app) as connection:
        build_scheduler(connection).start()


def build_scheduler(connection: Redis) -> CronScheduler:
    """Create RQ's cron scheduler with every job of PERIODIC_JOBS registered."""
    scheduler = CronScheduler(connection=connection)
    for entry in PERIODIC_JOBS:
        module, _, name = entry["func"].rpartition(".")
        func = getattr(importlib.import_module(module), name)
        options = {k: v for k, v in entry.items() if k != "func"}
        scheduler.register(func, **options)
    return scheduler

"""Worker and scheduler entry points, run through `flask crm worker|scheduler`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask
from redis import Redis
from rq import Worker
from rq.cron import CronScheduler
from rq.job import Job

from workers.periodic import PERIODIC_JOBS
from workers.queues import QUEUES, queue

_app: Flask | None = None


class AppContextJob(Job):
    """A job that runs inside the Flask application context."""

    def perform(self) -> Any:
        """Run the job with the app context and a fresh database connection pool."""
        from crm.extensions import db

        if _app is None:
            return super().perform()
        with _app.app_context():
            db.engine.dispose(close=False)  # a forked child must not share the parent's sockets
            try:
                return super().perform()
            finally:
                db.session.remove()


def run_worker(app: Flask, connection: Redis, names: Sequence[str] = QUEUES, burst: bool = False) -> bool:
    """Process jobs from the named queues in app context."""
    global _app
    _app = app
    queues = [queue(connection, name) for name in names]
    worker = Worker(queues, connection=connection, job_class=AppContextJob)
    return worker.work(burst=burst, with_scheduler=False)


def build_scheduler(connection: Redis) -> CronScheduler:
    """Create RQ's cron scheduler with every job of PERIODIC_JOBS registered."""
    import importlib

    scheduler = CronScheduler(connection=connection)
    for entry in PERIODIC_JOBS:
        module, _, name = entry["func"].rpartition(".")
        func = getattr(importlib.import_module(module), name)
        options = {k: v for k, v in entry.items() if k != "func"}
        scheduler.register(func, **options)
    return scheduler

"""Worker and scheduler entry points: `flask crm worker|scheduler` (added to the app by wsgi.py)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from redis import Redis
from rq import Worker
from rq.cron import CronScheduler
from rq.exceptions import StopRequested
from rq.job import Job

from crm.jobs import QUEUES, options_of, queue
from workers.periodic import PERIODIC_JOBS

# Options of a job's declaration that RQ's cron scheduler takes (a retry is for jobs started by hand).
SCHEDULED_OPTIONS = ("job_timeout", "result_ttl", "failure_ttl")
_app: Flask | None = None
_pool_pid: int | None = None  # the process whose database pool is safe to use
# SIGTERM/SIGINT received while `flask crm worker|scheduler` was still starting, before RQ's own handlers.
EARLY_STOP: list[int] = []
SCHEDULER_STOP_SECONDS = 10  # RQ's scheduler releases its locks and stops within this


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
    # The job modules were imported once here (by the app's views and the periodic list), not by every horse.
    warm_up(app)  # templates compiled once here, inherited by every horse as well
    queues = [queue(connection, name) for name in names]
    worker = CrmWorker(queues, connection=connection, job_class=AppContextJob)
    return worker.work(burst=burst, with_scheduler=True)


class CrmWorker(Worker):
    """RQ's worker, honouring a stop asked for while it was still starting."""

    def _install_signal_handlers(self) -> None:
        """Install RQ's handlers, then act on an earlier signal: stop before the first job, with teardown."""
        super()._install_signal_handlers()
        if EARLY_STOP:
            self._stop_requested = True

    def stop_scheduler(self) -> None:
        """Stop RQ's scheduler process as RQ does, but kill it if it ignores SIGTERM rather than wait forever.

        A SIGTERM that reaches the process in the instant after its fork, before its handlers exist, is lost.
        """
        process = self.scheduler._process if self.scheduler else None
        if process is None or not process.pid:
            return
        with contextlib.suppress(OSError):
            os.kill(process.pid, signal.SIGTERM)
        process.join(SCHEDULER_STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()


class CrmCronScheduler(CronScheduler):
    """RQ's cron scheduler, honouring a stop asked for while it was still starting."""

    def _install_signal_handlers(self) -> None:
        """Install RQ's handlers, then act on an earlier signal (nothing is registered yet)."""
        super()._install_signal_handlers()
        if EARLY_STOP:
            raise StopRequested


def remember_stop(signum: int, _frame: object) -> None:
    """Note a stop signal for later: raising here could be swallowed (e.g. inside a fork hook) and lost."""
    EARLY_STOP.append(signum)


def forget_in_child() -> None:
    """In a process forked while remember_stop is active (RQ's scheduler), restore the default handlers.

    Otherwise the SIGTERM by which the worker stops its scheduler would only be noted, and the worker would
    wait for that process forever.
    """
    if signal.getsignal(signal.SIGTERM) is remember_stop:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)


os.register_at_fork(after_in_child=forget_in_child)


@contextmanager
def app_redis(app: Flask) -> Iterator[Redis]:
    """Yield the app's Redis; afterwards close it and stop the embedded server if this process started it."""
    from crm.redis_conn import close, get_redis

    signal.signal(signal.SIGTERM, remember_stop)
    signal.signal(signal.SIGINT, remember_stop)
    try:
        yield get_redis(app)
    except StopRequested:
        pass  # stopped while starting: a normal stop
    finally:
        stop_children()
        close(app)


def stop_children(seconds: float = 10) -> None:
    """Stop RQ's scheduler process if a signal cut the worker's start short (exit would wait for it)."""
    for child in multiprocessing.active_children():
        child.terminate()
        child.join(seconds)
        if child.is_alive():
            child.kill()


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
    scheduler = CrmCronScheduler(connection=connection)
    for entry in PERIODIC_JOBS:
        func = entry["job"]
        declared = {k: v for k, v in options_of(func).items() if k in SCHEDULED_OPTIONS and v is not None}
        schedule = {k: v for k, v in entry.items() if k != "job"}
        scheduler.register(func, queue_name=func.queue_name, **declared, **schedule)
    return scheduler


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker inside the app context (all queues by default)."""
    serve_worker(current_app._get_current_object(), queues or QUEUES, burst=burst)  # type: ignore[attr-defined]


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run RQ's cron scheduler with the periodic jobs of workers/periodic.py."""
    serve_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]


def init_cli(app: Flask) -> None:
    """Add `worker` and `scheduler` to the app's `flask crm` command group."""
    group = app.cli.commands["crm"]
    group.add_command(worker_command)  # type: ignore[attr-defined]
    group.add_command(scheduler_command)  # type: ignore[attr-defined]

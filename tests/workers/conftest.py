"""Fixtures for the worker tests: SMTP settings, burst workers in-process or as real `flask crm worker`
processes, and batches of outbox rows."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from config import BASE_DIR
from crm.clock import today
from crm.extensions import db
from crm.jobs import QUEUES
from crm.models import OutboxMessage, User
from crm.outbox import outbox_row, queue_mails
from crm.redis_conn import get_redis
from workers.worker import run_worker

MAIL_KEYS = (
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_STARTTLS",
    "SMTP_SSL",
    "SMTP_USER",
    "MAIL_RETRY_INTERVALS",
    "MAIL_BATCH_SIZE",
    "CLAIM_TIMEOUT_SECONDS",
    "CLAIM_HEARTBEAT_SECONDS",
    "MAIL_RETRY_GRACE_SECONDS",
)


@pytest.fixture
def mail_config(app):
    """Let a test change the mail settings; restore them afterwards."""
    saved = {key: app.config[key] for key in MAIL_KEYS}
    yield app.config
    app.config.update(saved)


@pytest.fixture
def mail_server(mail_config, smtp_server):
    """Send the app's e-mail to the aiosmtpd test server."""
    mail_config.update(
        SMTP_HOST=smtp_server.host,
        SMTP_PORT=smtp_server.port,
        SMTP_STARTTLS=False,
        SMTP_SSL=False,
        SMTP_USER=None,
    )
    return smtp_server


@pytest.fixture
def work(app):
    """Run a real RQ worker in burst mode in this process (jobs run in forked children)."""

    def run(*queues: str) -> None:
        """Work through the queues until they are empty."""
        run_worker(app, get_redis(app), queues or QUEUES, burst=True)

    return run


@pytest.fixture
def batch(make_user):
    """Write n 'follow-up assigned' outbox rows for a few recipients, committed (no hashing per user)."""

    def factory(n: int, recipients: int = 10, locale: str = "en") -> list[OutboxMessage]:
        """Create the recipients and their outbox rows; return the rows."""
        template = make_user("staff", email="template@pmu.pe")
        rows = [
            {
                "email": f"r{i}@pmu.pe",
                "name": f"Recipient {i}",
                "role": "staff",
                "locale": locale,
                "active": True,
                "password_hash": template.password_hash,
            }
            for i in range(recipients)
        ]
        db.session.execute(insert(User), rows)
        ids = list(db.session.scalars(select(User.id).where(User.email.like("r%@pmu.pe")).order_by(User.id)))
        payload = {"due_on": today().isoformat(), "assigned_by": "Test"}
        queue_mails(
            [
                outbox_row(
                    "follow_up_assigned",
                    ids[i % recipients],
                    "-",
                    {**payload, "title": f"Task {i:04}"},
                    subject_type="followup",
                    subject_id=i + 1,
                )
                for i in range(n)
            ]
        )
        db.session.commit()
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    return factory


@pytest.fixture
def worker_process(app, mail_config, tmp_path):
    """Start real `flask crm worker --burst mail` processes (own process group) on the test database."""
    started: list[subprocess.Popen] = []

    def environment() -> dict[str, str]:
        """Return the environment of a worker or scheduler process: this test's database and settings."""
        return {
            **os.environ,
            "CRM_ENV": "testing",
            "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": app.config["REDIS_URL"],
            "SMTP_HOST": str(mail_config["SMTP_HOST"] or ""),
            "SMTP_PORT": str(mail_config["SMTP_PORT"]),
            "SMTP_STARTTLS": "0",
            "CLAIM_TIMEOUT_SECONDS": str(mail_config["CLAIM_TIMEOUT_SECONDS"]),
            "CLAIM_HEARTBEAT_SECONDS": str(mail_config["CLAIM_HEARTBEAT_SECONDS"]),
            "MAIL_RETRY_GRACE_SECONDS": str(mail_config["MAIL_RETRY_GRACE_SECONDS"]),
            "MAIL_RETRY_INTERVALS": ",".join(map(str, mail_config["MAIL_RETRY_INTERVALS"])),
        }

    def launch(*args: str) -> subprocess.Popen:
        """Run `flask crm <args>` in a process group of its own, its output in a log file."""
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "crm", *args]
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment(), start_new_session=True, stdout=log, stderr=log
        )
        proc.log = log  # type: ignore[attr-defined]
        started.append(proc)
        return proc

    def start(*queues: str, burst: bool = True) -> subprocess.Popen:
        """Start one worker process (mail queue by default; burst: it ends once its queues are empty)."""
        return launch("worker", *(["--burst"] if burst else []), *(queues or ["mail"]))

    def scheduler() -> subprocess.Popen:
        """Start `flask crm scheduler`: the periodic jobs of workers/periodic.py, as in production."""
        return launch("scheduler")

    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL the worker and its work horse (RQ puts the horse in a process group of its own)."""
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        horses = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        for pid in [*horses, proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait()

    yield SimpleNamespace(
        start=start,
        scheduler=scheduler,
        kill=kill,
        logs=lambda: [p.read_text() for p in sorted(tmp_path.glob("*.log"))],
    )
    for proc in started:
        if proc.poll() is None:
            kill(proc)
        proc.log.close()

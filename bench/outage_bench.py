"""Post interactions through gunicorn while PostgreSQL restarts and then stays down; count what users saw.

    .venv/bin/python bench/outage_bench.py            # 5 clients, 5 gunicorn workers, 10 s outage

A private PostgreSQL server (initdb in a temporary folder, never the shared one) gets the schema from the
migrations, one staff member and one company. Five clients sign in (password and one-time code) and each
post interactions through the real form, one after the other, until 5 s after the end of the faults:
3 s in, the server is restarted (`pg_ctl stop -m fast`, then start); 4 s later it is stopped for 10 s (a
client that got a refusal waits 0.1 s before its next interaction, as a person would). At the end every answer
is compared with the database: each acknowledged write (302) must be there once, and no write may be in
the database after an answer that said it failed.
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import measure  # noqa: E402

PASSWORD = "Bench-outage-1"
ENV = {"CRM_ENV": "development", "SECRET_KEY": "outage-bench-secret-0123456789", "REDIS_URL":
       os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"), "LOGIN_RATE_LIMIT": "100000 per minute"}


def free_port() -> int:
    """Return a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivatePostgres:
    """A PostgreSQL server of the bench's own, started and stopped with pg_ctl as the postgres user."""

    def __init__(self) -> None:
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.data = Path(tempfile.mkdtemp(prefix="crm-outage-bench-"))
        shutil.chown(self.data, "postgres", "postgres")
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.run("initdb", "-D", str(self.data / "db"), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def run(self, program: str, *args: str) -> None:
        """Run a server program as postgres."""
        command = ["runuser", "-u", "postgres", "--", str(self.bin / program), *args]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603

    def ctl(self, *args: str) -> None:
        """Run pg_ctl on the bench's cluster."""
        self.run("pg_ctl", "-D", str(self.data / "db"), "-l", str(self.data / "server.log"), "-w", *args)

    def start(self) -> None:
        """Start the server (returns once it accepts connections)."""
        self.ctl("-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server."""
        self.ctl("-m", mode, "stop")

    def remove(self) -> None:
        """Stop for good and delete the cluster."""
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D",  # noqa: S603, S607
                        str(self.data / "db"), "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(self.data, ignore_errors=True)


def email(client_no: int) -> str:
    """Return the e-mail of one client's staff member (one each: a one-time code is accepted once)."""
    return f"outage-staff-{client_no}@bench.pe"


def prepare(url: str, clients: int) -> tuple[list[int], int]:
    """Migrate the private database and add a staff member per client and a company; return their ids."""
    from flask_migrate import upgrade

    from crm import create_app
    from crm.extensions import db
    from crm.models import Organisation, User, utcnow

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url.replace("postgresql://", "postgresql+psycopg://"))
    with app.app_context():
        upgrade()
        users = [User(email=email(n), name=f"Outage Staff {n}", role="staff", locale="es", active=True)
                 for n in range(clients)]
        for user in users:
            user.set_password(PASSWORD)
            user.totp_secret, user.totp_enabled_at = measure.BENCH_TOTP_SECRET, utcnow()
        org = Organisation(kind="company", legal_name="Fundición Corte SAC")
        db.session.add_all([*users, org])
        db.session.commit()
        ids = [user.id for user in users], org.id
        db.engine.dispose()
    return ids


def start_gunicorn(url: str, workers: int) -> tuple[subprocess.Popen, str]:
    """Start gunicorn on the private database; return the process and its base URL."""
    port = free_port()
    env = {**os.environ, **ENV, "DATABASE_URL": url}
    command = [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "wsgi:app"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/auth/login", timeout=5):  # noqa: S310  (our own server)
                return proc, base
        except OSError:  # not up yet
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def post_interactions(base: str, client_no: int, finished: threading.Event, user_id: int, org_id: int,
                      log: list, ready: threading.Barrier) -> None:
    """Sign in and post interactions one after the other until finished; note (summary, status, ms, when)."""
    client = measure.HttpClient(base, email(client_no), PASSWORD)
    token = measure.csrf_token(client.read(f"/interactions/new?organisation_id={org_id}")[1])
    ready.wait()
    n = 0
    while not finished.is_set():
        n += 1
        summary = f"outage-{client_no}-{n}"
        form = {"csrf_token": token, "kind": "call", "occurred_on": time.strftime("%Y-%m-%d"),
                "staff_id": str(user_id), "summary": summary}
        path = f"/interactions/new?organisation_id={org_id}"
        ms, status = measure.clock(lambda form=form, path=path: client.post(path, form))
        log.append((summary, status, ms, time.monotonic()))
        if status != 302:
            time.sleep(0.1)  # a person would not click again at once


def faults(server: PrivatePostgres, events: list, down_seconds: float, ready: threading.Barrier,
           finished: threading.Event) -> None:
    """Once every client has signed in, restart the server, stop it for down_seconds, then end the run."""
    ready.wait()
    events.append(("clients signed in", time.monotonic()))
    time.sleep(3)
    events.append(("restart (fast) begins", time.monotonic()))
    server.stop("fast")
    server.start()
    events.append(("restart done", time.monotonic()))
    time.sleep(4)
    events.append(("stopped", time.monotonic()))
    server.stop("fast")
    time.sleep(down_seconds)
    server.start()
    events.append(("started again", time.monotonic()))
    time.sleep(5)
    finished.set()


def stored(url: str) -> collections.Counter:
    """Return how many times each summary is in the database."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT summary FROM interactions WHERE summary LIKE 'outage-%'").fetchall()
    return collections.Counter(row[0] for row in rows)


def report(log: list, events: list, saved: collections.Counter, started: float) -> None:
    """Print the answers by status, the acknowledged writes lost or doubled, and the recovery time."""
    statuses = collections.Counter(status for _, status, _, _ in log)
    acknowledged = {summary for summary, status, _, _ in log if status == 302}
    lost = [s for s in acknowledged if saved[s] == 0]
    doubled = [s for s, n in saved.items() if n > 1]
    failed_but_saved = [s for s, status, _, _ in log if status != 302 and saved[s]]
    back = next(t for name, t in events if name == "started again")
    served = min((t for _, status, _, t in log if status == 302 and t > back), default=None)
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("answers by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    for name, t in events:
        print(f"  {t - started:6.1f} s  {name}")
    print(f"acknowledged writes: {len(acknowledged)}; in the database: {sum(saved.values())}")
    print(f"lost acknowledged writes: {len(lost)}; doubled: {len(doubled)}; "
          f"failure answered for a committed write: {len(failed_but_saved)}")
    if served:
        print(f"first acknowledged write {served - back:.2f} s after the server came back")


def main() -> None:
    """Run the clients against gunicorn while the faults happen, then compare with the database."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--down", type=float, default=10.0)
    args = parser.parse_args()
    os.environ.update(ENV)
    server = PrivatePostgres()
    server.start()
    proc = None
    try:
        user_ids, org_id = prepare(server.url, args.clients)
        proc, base = start_gunicorn(server.url, args.workers)
        log, events, started = [], [], time.monotonic()
        ready, finished = threading.Barrier(args.clients + 1), threading.Event()
        work = [(base, n, finished, user_ids[n], org_id, log, ready) for n in range(args.clients)]
        clients = [threading.Thread(target=post_interactions, args=one) for one in work]
        fault = threading.Thread(target=faults, args=(server, events, args.down, ready, finished))
        for thread in (*clients, fault):
            thread.start()
        for thread in (*clients, fault):
            thread.join()
        report(log, events, stored(server.url), started)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        server.remove()


if __name__ == "__main__":
    main()

"""Bounded load run: N signed-in staff against gunicorn on 127.0.0.1 for a fixed time (Locust, headless).

    python bench/load.py --database-url postgresql://postgres@127.0.0.1/crm_bench [--users 50] [--minutes 5]

Prepares the bench accounts, starts gunicorn (production-like: several workers), runs Locust, stops
everything and prints requests/s, p50/p95 and errors per request kind. The database should hold data
from bench/generate.py. Login throttling is raised for the run only: all users come from one address.
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.measure import BENCH_SECRET  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PASSWORD = "Bench-password-1"
# Locust (and gevent) live in their own virtualenv so they never touch the app's pinned packages.
LOCUST = os.environ.get("LOCUST", str(ROOT / ".venv-bench" / "bin" / "locust"))


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict[str, str], users: int) -> tuple[int, int]:
    """Create the bench staff accounts (idempotent); return the organisation id range."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    from sqlalchemy import func, select

    from crm import create_app
    from crm.extensions import db
    from crm.models import Organisation, User

    app = create_app()
    with app.app_context():
        for n in range(users):
            email = f"bench-staff-{n}@bench.pe"
            if db.session.scalar(select(User.id).where(User.email == email)) is None:
                user = User(email=email, name=f"Bench {n}", role="staff", locale="es", active=True)
                user.set_password(PASSWORD)
                db.session.add(user)
        db.session.commit()
        low, high = db.session.execute(select(func.min(Organisation.id), func.max(Organisation.id))).one()
    return low or 1, high or 1


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    """Start gunicorn on the port and wait until it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "wsgi:app"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "a"),  # noqa: SIM115 - the server's
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("gunicorn did not start")


MIXES = {"staff": "PmuStaff", "issue17": "MixStaff"}


def run_locust(
    env: dict[str, str], port: int, users: int, seconds: int, exclude: str = "", mix: str = "staff"
) -> Path:
    """Run Locust headless for the given time (without the tasks tagged exclude); return the CSV prefix."""
    prefix = RESULTS / ("load" + (f"-{mix}" if mix != "staff" else ""))
    prefix = prefix.with_name(prefix.name + (f"-without-{exclude.replace(',', '-')}" if exclude else ""))
    RESULTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            LOCUST,
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(max(1, users // 10)),
            "-t",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "10",
            *(["--exclude-tags", *exclude.split(",")] if exclude else []),
            MIXES[mix],
        ],
        env=env,
        cwd=ROOT,
        check=False,
    )
    return prefix


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def report(prefix: Path, heading: str) -> None:
    """Print the per-request table and the aggregate, and keep it beside the CSV files."""
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    lines = [heading, "", "| request | count | errors | req/s | p50 ms | p95 ms | p99 ms |"]
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    lines += [
        f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
        f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        for row in rows
    ]
    print("\n".join(lines))
    Path(f"{prefix}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    """Parse arguments, run the load, print the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--exclude-tags", default="", help="e.g. reports: leave the report pages out")
    parser.add_argument(
        "--mix", choices=sorted(MIXES), default="staff", help="issue17: list, detail, board, funnel"
    )
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": BENCH_SECRET,
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "BENCH_USERS": str(args.users),
        "BENCH_PASSWORD": PASSWORD,
    }
    low, high = prepare(env, args.users)
    env.update(BENCH_ORG_MIN=str(low), BENCH_ORG_MAX=str(high))
    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    before = load_average()
    try:
        prefix = run_locust(env, port, args.users, int(args.minutes * 60), args.exclude_tags, args.mix)
    finally:
        server.terminate()
        server.wait(timeout=30)
    without = f", without the tasks tagged {args.exclude_tags}" if args.exclude_tags else ""
    heading = (
        f"{args.users} users ({args.mix} mix) for {args.minutes:g} min, {args.workers} gunicorn workers"
        f"{without}; "
        f"load average before {before}, after {load_average()}"
    )
    report(prefix, heading)


if __name__ == "__main__":
    main()

"""Time the key pages and reports at scale: in-process (Flask test client) and over HTTP (gunicorn).

    python bench/run.py [--db 10k=postgresql://postgres@127.0.0.1/crm_bench_10k --db 100k=...]
                        [--runs 30] [--warmup 5] [--no-http] [--case board --case "my work"]

Each database must hold data from bench/generate.py (crm_bench_10k: --orgs 10000, crm_bench_100k:
--orgs 100000). Per database, in its own process: signs in as the first bench owner (a staff user
generate.py created; password Bench-owner-1) for the pages and as a manager this script creates
for the reports, warms each case up, then times --runs requests (cycling through several
searches, RUCs and companies) with the test client, counting SQL statements; each report request
is followed by its floor (the same aggregates as hand-written SQL, from bench/reports_bench.py),
so drifting machine load hits both alike, and the ratio is printed. Then it starts gunicorn
(2 × cores + 1 workers, as bench/load.py does), signs in over HTTP with the CSRF token and times
the same requests (after at least two warm-up requests per worker). Prints markdown tables (one
per database, then the growth from the first to the last) with the load average before each
part, and writes them to bench/results/run-<date>.md. Goals: pages p95 ≤ 100 ms, reports ≤ 1.5×
the floor, growth no worse than linear. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402
from bench.measure import BENCH_SECRET  # noqa: E402
from bench.reports_bench import COFINANCE_SQL, EXITS_SQL, FUNNEL_SQL, SECTOR_SQL  # noqa: E402

DEFAULT_DBS = [
    "10k=postgresql://postgres@127.0.0.1/crm_bench_10k",
    "100k=postgresql://postgres@127.0.0.1/crm_bench_100k",
]
STAFF_PASSWORD = "Bench-owner-1"  # set by bench/generate.py for its owners
MANAGER = ("bench-run-manager@bench.pe", "Bench-password-1")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PAGE_GOAL_MS, FLOOR_GOAL = 100, 1.5
NAMES = ("fundicion", "andina", "plasticos", "quimica", "pacifico", "lurin", "ceramica", "santa rosa")


@dataclass
class Case:
    """A page to time: who asks, the paths cycled through, and (reports) the floor statements."""

    name: str
    role: str
    paths: list[str]
    floor: list[str] | None = None


def cases(companies: list[tuple[int, str]]) -> list[Case]:
    """Return the cases, with 30 companies drawn (seeded) for the detail page and the RUC search."""
    drawn = random.Random(7).sample(companies, k=min(30, len(companies)))
    return [
        Case("organisation list", "staff", ["/organisations/"]),
        Case("search by name", "staff", [f"/organisations/?q={w.replace(' ', '+')}" for w in NAMES]),
        Case("search by RUC", "staff", [f"/organisations/?q={ruc}" for _, ruc in drawn]),
        Case("organisation detail", "staff", [f"/organisations/{org_id}" for org_id, _ in drawn]),
        Case("board", "staff", ["/pipeline/"]),
        Case("my work", "staff", ["/"]),
        Case("funnel", "manager", ["/reports/funnel"], [FUNNEL_SQL, EXITS_SQL]),
        Case("conversion by sector", "manager", ["/reports/conversion?by=sector"], [SECTOR_SQL, FUNNEL_SQL]),
        Case("co-finance", "manager", ["/reports/cofinance"], COFINANCE_SQL),
        Case("funnel, 2025 + sector", "manager", ["/reports/funnel?from=2025-01-01&to=2025-12-31&sector=3"]),
        Case("conversion by district", "manager", ["/reports/conversion?by=district"]),
        Case("cohorts", "manager", ["/reports/cohorts"]),
        Case("time in stage", "manager", ["/reports/timing"]),
    ]


def make_app(url: str):
    """Build the app on the bench database (no migrations run: generate.py did them)."""
    from crm import create_app

    return create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=url.replace("postgresql://", "postgresql+psycopg://"),
        REDIS_URL=REDIS_URL,
        LOGIN_RATE_LIMIT="100000 per minute",
        SECRET_KEY=BENCH_SECRET,  # as the gunicorn server's: it must decrypt the second factors made here
    )


def accounts(app) -> tuple[dict[str, tuple[str, str]], list[tuple[int, str]]]:
    """Return the staff and manager sign-ins (creating the manager) and the bench companies (id, RUC)."""
    from sqlalchemy import select, text

    from crm.extensions import db
    from crm.models import User

    with app.app_context():
        owner = db.session.scalar(
            text("SELECT email FROM users WHERE email LIKE 'bench-owner-%' ORDER BY id LIMIT 1")
        )
        if owner is None:
            raise SystemExit("No bench owner: run bench/generate.py on this database first.")
        if db.session.scalar(select(User.id).where(User.email == MANAGER[0])) is None:
            user = User(email=MANAGER[0], name="Bench Manager", role="manager", locale="es", active=True)
            user.set_password(MANAGER[1])
            db.session.add(user)
            db.session.commit()
        measure.enrol_second_factor(db, [owner, MANAGER[0]])
        query = text("SELECT id, ruc FROM organisations WHERE legal_name LIKE 'Empresa Bench %' ORDER BY id")
        companies = [(r[0], r[1]) for r in db.session.execute(query)]
    return {"staff": (owner, STAFF_PASSWORD), "manager": MANAGER}, companies


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def time_cases(clients: dict, chosen: list[Case], warmup: int, runs: int, app=None) -> tuple[dict, dict]:
    """Time every case with the clients of each role (reports alternating with their floor, given the app).

    Returns ({case: timings}, {case: floor timings}) as dicts.
    """
    pages, floors = {}, {}
    for case in chosen:
        floor = measure.floor_runner(app, case.floor) if app and case.floor else None
        found, base = measure.run_case(clients[case.role].get, case.paths, warmup, runs, floor)
        pages[case.name] = asdict(found)
        if base:
            floors[case.name] = asdict(base)
    return pages, floors


def over_http(url: str, logins: dict, chosen: list[Case], warmup: int, runs: int) -> dict[str, dict]:
    """Start gunicorn on the database, sign in over HTTP and time the cases; stop it."""
    from bench.load import free_port, start_gunicorn

    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SECRET_KEY": BENCH_SECRET,
           "LOGIN_RATE_LIMIT": "100000 per minute"}  # fmt: skip
    port, workers = free_port(), 2 * (os.cpu_count() or 1) + 1
    server = start_gunicorn(env, port, workers)
    try:
        base = f"http://127.0.0.1:{port}"
        clients = {role: measure.HttpClient(base, *login) for role, login in logins.items()}
        warm_every_worker(clients, chosen, 4 * workers)
        return time_cases(clients, chosen, max(warmup, 2 * workers), runs)[0]
    finally:
        server.terminate()
        server.wait(timeout=30)


def warm_every_worker(clients: dict, chosen: list[Case], rounds: int) -> None:
    """Request every case's pages in turn, rounds times, before any is timed.

    Each worker process fills its own caches (compiled templates and SQL, reference lists) on its first
    requests of each page, and freezes what it keeps after its 50th (crm/gcfreeze.py): in a started
    server the first ~50 requests per worker are 2-5x slower (bench/README.md). Warming one case at a
    time left the workers cold for the cases after it; the timings are of a server in its steady state.
    """
    for n in range(rounds):
        for case in chosen:
            clients[case.role].get(case.paths[n % len(case.paths)])


def measure_database(label: str, url: str, args) -> dict:
    """Time every chosen case on one database; return the results (JSON-ready)."""
    from sqlalchemy import text

    from crm.extensions import db

    app = make_app(url)
    logins, companies = accounts(app)
    chosen = [c for c in cases(companies) if not args.case or c.name in args.case]
    result = {"label": label, "companies": len(companies), "load_before": load_average()}
    with app.app_context():
        result["interactions"] = db.session.scalar(text("SELECT COUNT(*) FROM interactions"))
    clients = {role: measure.AppClient(app, *login) for role, login in logins.items()}
    result["client"], result["floor"] = time_cases(clients, chosen, args.warmup, args.runs, app)
    if not args.no_http:
        result["load_before_http"] = load_average()
        with app.app_context():  # the in-process sign-ins used this 30-second step's code: allow it again
            measure.enrol_second_factor(db, [login[0] for login in logins.values()])
        result["http"] = over_http(url, logins, chosen, args.warmup, args.runs)
    result["cases"] = [c.name for c in chosen]
    return result


def run_in_child(spec: str, args) -> dict:
    """Measure one database in a fresh process (one app per process); return its results."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    command = [sys.executable, __file__, "--one", spec, "--out", out, "--runs", str(args.runs)]
    command += ["--warmup", str(args.warmup), *(["--no-http"] if args.no_http else [])]
    for name in args.case or []:
        command += ["--case", name]
    subprocess.run(command, check=True, cwd=ROOT)
    found = json.loads(Path(out).read_text())
    os.unlink(out)
    return found


def main() -> None:
    """Measure each database in its own process, then print and record the markdown tables."""
    from bench.run_tables import markdown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", help="label=URL (repeatable); default: the two bench DBs")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn measurements")
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        label, url = args.one.split("=", 1)
        Path(args.out).write_text(json.dumps(measure_database(label, url, args)))
        return
    results = [run_in_child(spec, args) for spec in args.db or DEFAULT_DBS]
    text = markdown(results, PAGE_GOAL_MS, FLOOR_GOAL)
    print(text)
    partial = "-partial" if args.case or args.no_http else ""  # never overwrite a full run
    out = ROOT / "bench" / "results" / f"run-{date.today().isoformat()}{partial}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

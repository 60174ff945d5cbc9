"""Time the funnel, conversion and co-finance reports against the same queries written as raw SQL.

    python bench/reports_bench.py --database-url URL [--orgs 100000] [--runs 15]

Generates --orgs companies with bench/generate.py when the database has fewer bench companies,
then times, in one app context, after two warm-up runs, alternating report and floor:
  - the report builders the pages call (crm.reports.funnel/conversion/cofinance .build; co-finance
    with the first page of its annex, as its page shows it),
  - the floor: the same statements hand-written as SQL text, run on the same connection.
Prints p50/p95 in milliseconds and the ratio report/floor (goal ≤ 1.5×), and writes them to
bench/results/reports-<dialect>-<orgs>.txt. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import app_for, generate  # noqa: E402

STAGE_POSITION = """CASE t.to_stage WHEN 'identified' THEN 0 WHEN 'contacted' THEN 1
  WHEN 'meeting_held' THEN 2 WHEN 'loi_signed' THEN 3 WHEN 'assessed' THEN 4
  WHEN 'technical_assistance' THEN 5
  WHEN 'feasibility_delivered' THEN 6 WHEN 'adopting' THEN 7 END"""
REACH = f"""WITH reach AS (
  SELECT e.organisation_id AS org_id, MAX({STAGE_POSITION}) AS top
  FROM stage_transitions t
  JOIN engagements e ON e.id = t.engagement_id
  JOIN organisations o ON o.id = e.organisation_id
  WHERE t.to_stage IN ('identified', 'contacted', 'meeting_held', 'loi_signed', 'assessed',
                       'technical_assistance', 'feasibility_delivered', 'adopting')
    AND o.kind = 'company'
  GROUP BY e.organisation_id
)"""
FUNNEL_SQL = (
    REACH
    + "\nSELECT "
    + ",\n  ".join(f"COALESCE(SUM(CASE WHEN top >= {i} THEN 1 ELSE 0 END), 0)" for i in range(8))
    + "\nFROM reach"
)
EXITS_SQL = """SELECT t.from_stage, t.to_stage, b.reason_en, COUNT(*)
FROM stage_transitions t
JOIN engagements e ON e.id = t.engagement_id
JOIN organisations o ON o.id = e.organisation_id
LEFT JOIN barriers b ON b.id = t.barrier_id
WHERE t.to_stage IN ('declined', 'on_hold', 'withdrawn') AND o.kind = 'company'
GROUP BY t.from_stage, t.to_stage, b.reason_en"""
SECTOR_SQL = (
    REACH
    + """
SELECT sec.id, MAX(sec.code || ' – ' || sec.name_en),
  COALESCE(SUM(CASE WHEN top >= 1 THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN top >= 3 THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN top >= 4 THEN 1 ELSE 0 END), 0)
FROM reach
JOIN organisations o ON o.id = reach.org_id
LEFT JOIN sectors s ON s.id = o.sector_id
LEFT JOIN sectors sec ON sec.id = COALESCE(s.parent_id, s.id)
GROUP BY sec.id
ORDER BY COALESCE(SUM(CASE WHEN top >= 1 THEN 1 ELSE 0 END), 0) DESC, MAX(sec.code), sec.id"""
)

COMMITMENTS = """WITH materialised AS (
  SELECT letter_id, SUM(amount_usd) AS usd FROM materialisations GROUP BY letter_id
), commitments AS (
  SELECT l.id, l.organisation_id, l.cofinancier_type, l.cofinance_type,
    COALESCE(l.amount_usd, 0) AS committed, COALESCE(m.usd, 0) AS materialised
  FROM letters l
  JOIN organisations o ON o.id = l.organisation_id
  LEFT JOIN materialised m ON m.letter_id = l.id
  WHERE l.kind = 'cofinance' AND l.status = 'signed'
)"""
MONEY = "SUM(committed), SUM(materialised), SUM(committed) - SUM(materialised)"
# The co-finance annex (per co-financier and type), the sums by each type, and the total.
COFINANCE_SQL = [
    COMMITMENTS
    + f"""
SELECT MAX(o.legal_name), c.cofinancier_type, c.cofinance_type, {MONEY}
FROM commitments c JOIN organisations o ON o.id = c.organisation_id
GROUP BY o.id, c.cofinancier_type, c.cofinance_type ORDER BY MIN(c.id)""",
    COMMITMENTS + f"\nSELECT cofinancier_type, {MONEY} FROM commitments GROUP BY 1 ORDER BY 1",
    COMMITMENTS + f"\nSELECT cofinance_type, {MONEY} FROM commitments GROUP BY 1 ORDER BY 1",
    COMMITMENTS + f"\nSELECT {MONEY} FROM commitments",
]


def timed(report: Callable[[], object], floor: Callable[[], object], runs: int) -> tuple[list, list]:
    """Warm both up twice, then alternate them runs times (so load drift hits both); return ms lists."""
    for _ in range(2):
        report(), floor()
    mine, base = [], []
    for _ in range(runs):
        for fn, durations in ((report, mine), (floor, base)):
            started = time.perf_counter()
            fn()
            durations.append((time.perf_counter() - started) * 1000)
    return mine, base


def p(values: list[float], q: float) -> float:
    """Return the q-quantile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def bench_companies(app) -> int:
    """Count the bench companies already in the database."""
    from sqlalchemy import text

    from crm.extensions import db

    with app.app_context():
        return db.session.scalar(
            text("SELECT COUNT(*) FROM organisations WHERE legal_name LIKE 'Empresa Bench %'")
        )


def cases() -> dict[str, tuple[Callable[[], object], Callable[[], object]]]:
    """Return {report: (the report builder call, the raw-SQL floor)}."""
    from sqlalchemy import text

    from crm.extensions import db
    from crm.reports import cofinance, conversion, funnel
    from crm.reports.filters import ReportFilters

    none = ReportFilters()

    def raw(*statements: str) -> Callable[[], object]:
        return lambda: [db.session.execute(text(s)).all() for s in statements]

    return {
        "funnel": (lambda: funnel.build(none, {}, "en"), raw(FUNNEL_SQL, EXITS_SQL)),
        "conversion by sector": (
            lambda: conversion.build(none, {"by": "sector"}, "en"),
            raw(SECTOR_SQL, FUNNEL_SQL),
        ),
        "co-finance": (lambda: cofinance.build(none, {}, "en", page=1, per_page=25), raw(*COFINANCE_SQL)),
    }


def main() -> None:
    """Generate if needed, time the reports and their floors, print and record the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_url = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'bench.sqlite'}")
    parser.add_argument("--database-url", default=default_url)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    app = app_for(args.database_url)
    have = bench_companies(app)
    if have < args.orgs:
        print(f"generating {args.orgs - have:,} companies…", flush=True)
        generate(app, args.orgs - have, seed=have + 7)
    lines = []
    with app.app_context(), app.test_request_context():
        from crm.extensions import db

        dialect = db.engine.dialect.name
        lines.append(f"{dialect}, {bench_companies(app):,} bench companies, {args.runs} runs (ms)")
        lines.append(
            f"{'report':24} {'p50':>8} {'p95':>8} {'floor p50':>10} {'floor p95':>10} {'ratio p50':>10}"
        )
        for name, (report, floor) in cases().items():
            mine, base = timed(report, floor, args.runs)
            ratio = statistics.median(mine) / statistics.median(base)
            figures = f"{p(mine, 0.5):8.1f} {p(mine, 0.95):8.1f} {p(base, 0.5):10.1f} {p(base, 0.95):10.1f}"
            lines.append(f"{name:24} {figures} {ratio:9.2f}x")
    print("\n".join(lines))
    out = ROOT / "bench" / "results" / f"reports-{dialect}-{args.orgs}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

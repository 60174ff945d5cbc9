"""Time one pipeline move with its flush (the maintained report rows and tallies included), at scale.

    python bench/move_bench.py --database-url URL [--moves 60]

On a database built by bench/generate.py: moves `--moves` engagements now at "contacted" to "meeting held"
one at a time, each with its flush (the flush hooks rewrite the company's stage_reach, company_reach,
company_days, exits, stays, links, co-finance lines and both tallies' ledger rows), and rolls everything
back at the end: the data set is left as it was. Prints p50/p95 in milliseconds and the load average.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import app_for  # noqa: E402


def main() -> None:
    """Move the engagements, time each flush, roll back."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--moves", type=int, default=60)
    args = parser.parse_args()
    app = app_for(args.database_url)
    from sqlalchemy import select

    from crm.extensions import db
    from crm.models import Engagement
    from crm.pipeline.services import Move, record

    print(f"load average before: {os.getloadavg()}", flush=True)
    with app.app_context():
        query = select(Engagement).where(Engagement.stage == "contacted").order_by(Engagement.id)
        durations = []
        for engagement in db.session.scalars(query.limit(args.moves)).all():
            start = time.perf_counter()
            record(engagement, Move("meeting_held", date.today(), note="bench"), None)
            db.session.flush()
            durations.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    ordered = sorted(durations)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    print(f"{len(durations)} moves: p50 {statistics.median(durations):.1f} ms, p95 {p95:.1f} ms")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

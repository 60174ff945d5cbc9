"""Time the global search (crm/search) on a generated data set: p50/p95 per query, in-process.

    .venv/bin/python bench/search_bench.py --database-url postgresql://postgres@127.0.0.1/crm_bench_100k

Queries are drawn from the data itself (a company word, a whole legal name, a RUC prefix, a surname, an
e-mail fragment, a phone fragment, interaction words) plus a miss; each runs --runs times after a warm-up,
as a manager (all kinds, no scope filter) and as a staff owner. Prints one line per query and the p95 of all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import clock, p  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from crm import create_app  # noqa: E402
from crm.extensions import db  # noqa: E402
from crm.models import User  # noqa: E402


def one(column: str, table: str, offset: int) -> str:
    """Return one value of the data set."""
    sql = f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY id LIMIT 1 OFFSET {offset}"
    return db.session.execute(text(sql)).scalar() or ""


def sample_queries() -> list[str]:
    """Return realistic queries taken from the data set."""
    trade = one("trade_name", "organisations", 4242)
    queries = [one("legal_name", "organisations", 777), trade.split()[-1] if trade else "", trade]
    queries += [one("ruc", "organisations", 999)[:8], one("last_name", "contacts", 12345)]
    queries += [one("first_name || ' ' || last_name", "contacts", 54321)]
    queries += [one("split_part(email, '@', 1)", "contacts", 777), one("right(phone, 6)", "contacts", 333)]
    queries += [" ".join(one("summary", "interactions", 5000).split()[:2]), "fundicion callao"]
    return [q for q in queries if q] + ["zzqxv"]


def time_one(services: Any, user: User, query: str, runs: int) -> list[float]:
    """Return the milliseconds of runs searches for one query, after a warm-up."""
    services.search(user, query)
    return [clock(lambda: services.search(user, query))[0] for _ in range(runs)]


def main() -> None:
    """Run the timings."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = args.database_url.replace("postgresql://", "postgresql+psycopg://")
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    from crm.search import services

    with app.test_request_context():
        users = {
            "manager": db.session.scalars(select(User).where(User.role.in_(("manager", "admin")))).first(),
            "staff": db.session.scalars(select(User).where(User.role == "staff")).first(),
        }
        queries = sample_queries()
        every: list[float] = []
        for role, user in users.items():
            if user is None:
                continue
            for query in queries:
                times = time_one(services, user, query, args.runs)
                db.session.rollback()
                every += times
                found = sum(len(g.rows) for g in services.search(user, query))
                spread = f"p50 {p(times, 0.5):7.1f} ms  p95 {p(times, 0.95):7.1f} ms"
                print(f"{role:8} {query[:40]:40} {spread}  {found} rows", flush=True)
        total = f"p50 {p(every, 0.5):.1f} ms, p95 {p(every, 0.95):.1f} ms"
        print(f"all queries: {total} over {len(every)} searches")


if __name__ == "__main__":
    main()

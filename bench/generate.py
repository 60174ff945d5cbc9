"""Generate a large, realistic data set fast: N companies with engagements and stage transitions.

    python bench/generate.py --orgs 100000 [--database-url URL] [--seed 7]

Runs the migrations, then inserts with Core executemany in batches (no ORM, no audit rows):
owners, associations, companies (valid RUCs from crm.ruc.make_ruc), memberships, one engagement per
company (some in a second programme), and the transitions of each engagement along the forward
path with side exits. The funnel is about one in five from contacted to letter of interest. Ids
are assigned here and PostgreSQL sequences are moved past them at the end. Refuses to run twice on
the same database (bench companies already present).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH = 10_000
RUC_BASE = 60_000_000  # RUC bodies from here up: far from the demo data's
# Chance of moving on from each stage to the next (identified → … → adopting); contacted → loi ≈ 0.2.
ADVANCE = {
    "identified": 0.8,
    "contacted": 0.45,
    "meeting_held": 0.45,
    "loi_signed": 0.9,
    "assessed": 0.5,
    "technical_assistance": 0.5,
    "feasibility_delivered": 0.5,
}
EXIT_SHARE = 0.3  # of those that stop before adopting, how many leave with an exit transition
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2026, 6, 30)
SIZES = ("micro", "small", "medium", "large")


def app_for(url: str):
    """Build the app on the database and bring its schema up to date."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from crm import create_app

    app = create_app(
        "development", SQLALCHEMY_DATABASE_URI=url.replace("postgresql://", "postgresql+psycopg://")
    )
    with app.app_context():
        upgrade()
    return app


def next_id(conn, table) -> int:
    """Return the first free id of a table."""
    from sqlalchemy import func, select

    return (conn.scalar(select(func.max(table.c.id))) or 0) + 1


def insert(conn, table, rows: list[dict]) -> None:
    """Insert rows with executemany, in batches."""
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start : start + BATCH])


def reference(conn) -> dict:
    """Return the ids the generator draws from: sectors, districts, programmes, barriers."""
    from sqlalchemy import text

    manufacturing = conn.scalar(text("SELECT id FROM sectors WHERE code = 'C'"))
    divisions = [
        r[0] for r in conn.execute(text("SELECT id FROM sectors WHERE parent_id = :p"), {"p": manufacturing})
    ]
    return {
        "sectors": divisions + [manufacturing],
        "districts": [r[0] for r in conn.execute(text("SELECT id FROM districts ORDER BY id LIMIT 12"))],
        "programmes": [r[0] for r in conn.execute(text("SELECT id FROM programmes ORDER BY id"))],
        "barriers": [r[0] for r in conn.execute(text("SELECT id FROM barriers ORDER BY id"))],
    }


def people(conn, tables, now: datetime, count: int = 6) -> list[int]:
    """Insert the owners (staff users) and return their ids."""
    from werkzeug.security import generate_password_hash

    first = next_id(conn, tables["users"])
    password = generate_password_hash("Bench-owner-1")
    rows = [
        {"id": first + i, "email": f"bench-owner-{first + i}@bench.pe", "name": f"Bench Owner {i + 1}",
         "password_hash": password, "role": "staff", "locale": "es", "active": True,
         "created_at": now, "updated_at": now}
        for i in range(count)
    ]  # fmt: skip
    insert(conn, tables["users"], rows)
    return [r["id"] for r in rows]


def organisation(org_id: int, kind: str, name: str, now: datetime, **extra) -> dict:
    """Return an organisation row (search_text filled as the ORM hook would)."""
    from crm.text import fold

    row = {"id": org_id, "kind": kind, "legal_name": name, "trade_name": None, "ruc": None, "sector_id": None,
           "size": None, "district_id": None, "website": None, "owner_id": None, "notes": None,
           "version_id": 1, "created_at": now, "updated_at": now}  # fmt: skip
    row.update(extra)
    row["search_text"] = fold(" ".join(p for p in (row["legal_name"], row["ruc"]) if p))[:420]
    return row


def company(rng: random.Random, org_id: int, n: int, ref: dict, owners: list[int], now: datetime) -> dict:
    """Return the n-th bench company with a valid RUC and random sector, size, district and owner."""
    from crm.ruc import make_ruc

    return organisation(
        org_id,
        "company",
        f"Empresa Bench {n:06d} SAC",
        now,
        ruc=make_ruc("20", f"{RUC_BASE + n:08d}"),
        sector_id=rng.choice(ref["sectors"]),
        size=rng.choice(SIZES),
        district_id=rng.choice(ref["districts"]),
        owner_id=rng.choice(owners),
    )


def path_of(rng: random.Random, stages: tuple[str, ...], exits: tuple[str, ...]) -> list[str]:
    """Draw how far an engagement goes, and whether it ends with an exit."""
    path = [stages[0] if rng.random() < 0.7 else stages[1]]
    while path[-1] != stages[-1] and rng.random() < ADVANCE[path[-1]]:
        path.append(stages[stages.index(path[-1]) + 1])
    if path[-1] != stages[-1] and rng.random() < EXIT_SHARE:
        path.append(rng.choice(exits))
    return path


def transitions_of(
    rng, engagement_id: int, path: list[str], barriers: list[int], next_tid: int
) -> list[dict]:
    """Return the transition rows of a path, dated forward from a random start."""
    day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
    rows, previous = [], None
    for offset, stage in enumerate(path):
        exit_ = stage in ("declined", "on_hold", "withdrawn")
        rows.append(
            {
                "id": next_tid + offset,
                "engagement_id": engagement_id,
                "from_stage": previous,
                "to_stage": stage,
                "occurred_on": day,
                "recorded_at": datetime.now(UTC),
                "by_id": None,
                "note": "bench" if exit_ else None,
                "barrier_id": rng.choice(barriers) if exit_ else None,
            }
        )
        previous = stage
        day = min(LAST_DAY, day + timedelta(days=rng.randint(5, 120)))
    return rows


def generate(app, count: int, seed: int) -> dict[str, int]:
    """Insert count companies and everything hanging from them; return row counts."""
    from sqlalchemy import func, select, text

    from crm.extensions import db
    from crm.models import EXITS, STAGES

    rng = random.Random(seed)
    now = datetime.now(UTC)
    tables = db.metadata.tables
    with app.app_context(), db.engine.begin() as conn:
        orgs = tables["organisations"]
        if conn.scalar(select(func.count()).where(orgs.c.legal_name.like("Empresa Bench %"))):
            raise SystemExit("Bench companies are already in this database: use a fresh one.")
        ref = reference(conn)
        owners = people(conn, tables, now)
        first = next_id(conn, orgs)
        assoc_ids = list(range(first, first + 8))
        rows = [organisation(i, "association", f"Gremio Bench {n + 1}", now) for n, i in enumerate(assoc_ids)]
        company_ids = list(range(first + 8, first + 8 + count))
        rows += [company(rng, org_id, n, ref, owners, now) for n, org_id in enumerate(company_ids)]
        insert(conn, orgs, rows)
        statuses = ["active"] * 4 + ["lapsed"]
        members = [
            {"company_id": c, "association_id": rng.choice(assoc_ids), "status": rng.choice(statuses),
             "created_at": now, "updated_at": now}
            for c in company_ids if rng.random() < 0.4
        ]  # fmt: skip
        insert(conn, tables["memberships"], members)
        eng_rows, tr_rows = [], []
        eid, tid = next_id(conn, tables["engagements"]), next_id(conn, tables["stage_transitions"])
        for company_id in company_ids:
            programmes = ref["programmes"][:1] + (ref["programmes"][1:2] if rng.random() < 0.1 else [])
            for programme in programmes:
                path = path_of(rng, STAGES, EXITS)
                steps = transitions_of(rng, eid, path, ref["barriers"], tid)
                source = rng.choice(assoc_ids) if rng.random() < 0.4 else None
                eng_rows.append({"id": eid, "organisation_id": company_id, "programme_id": programme,
                                 "stage": path[-1], "stage_since": steps[-1]["occurred_on"],
                                 "source_association_id": source, "version_id": 1,
                                 "created_at": now, "updated_at": now})  # fmt: skip
                tr_rows += steps
                eid, tid = eid + 1, tid + len(steps)
        insert(conn, tables["engagements"], eng_rows)
        insert(conn, tables["stage_transitions"], tr_rows)
        if conn.dialect.name == "postgresql":
            for name in ("users", "organisations", "memberships", "engagements", "stage_transitions"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"
                    )
                )
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    return {
        "companies": count,
        "memberships": len(members),
        "engagements": len(eng_rows),
        "transitions": len(tr_rows),
    }


def main() -> None:
    """Parse arguments and generate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10_000, help="number of companies")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'bench.sqlite'}"),
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = generate(app_for(args.database_url), args.orgs, args.seed)
    print(", ".join(f"{k}={v:,}" for k, v in counts.items()), f"in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()

"""Generate a large, realistic data set fast: N companies and everything that hangs from them.

    python bench/generate.py --orgs 100000 [--database-url URL] [--seed 7]

Runs the migrations, then writes with PostgreSQL COPY (psycopg 3), or Core executemany in batches
on SQLite — no ORM, no audit rows. Per --orgs companies (everything scales with it; 100,000 gives
the figures in brackets): staff owners (one per 5,000 companies, at least 6), 8 associations and
1 % other stakeholders; companies with valid RUCs, trade names and the folded search_text the ORM
would compute (crm.text.fold); about 3 contacts each (300k); memberships with the seed's status
mix; one engagement per company, a second programme for 40 %, each walking the stages in order with
the seed's conversion (about 1 in 5 contacted companies signs a letter of interest), side exits
with reasons and some pauses resumed (≈500k transitions); interactions growing with how far the
company went (≈1M, half with contacts linked); follow-ups for the owners (open ones due from 25
days ago to 30 days ahead, so some overdue and some today; done ones in the past); letters
(≈50k: interest signed at the letter-of-interest stage or requested after a meeting, co-finance
from assessed companies and public stakeholders in USD or PEN with materialisations, cooperation
letters from stakeholders). Ids are assigned here and the sequences moved past them. Refuses to
run twice on the same database (bench companies already present).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import generate_activity as activity  # noqa: E402
from bench.bulk import Sinks, analyze, fast_load, finish, vacuum_analyze  # noqa: E402
from bench.measure import BENCH_SECRET  # noqa: E402

CHUNK = 2_000  # companies built in memory before their rows are written
RUC_BASE = 60_000_000  # RUC bodies from here up: far from the demo data's
# Chance of moving on from each stage to the next, shaped like the seed (mid-term figures): 95 % of
# the identified are contacted, 42 % of those met, 34 % of those sign; with second programmes and
# resumed pauses about 1 in 5 contacted companies reaches a signed letter of interest.
ADVANCE = {
    "identified": 0.95,
    "contacted": 0.42,
    "meeting_held": 0.34,
    "loi_signed": 0.93,
    "assessed": 0.51,
    "technical_assistance": 0.3,
    "feasibility_delivered": 0.33,
}
EXIT_SHARE = 0.5  # of those that stop before adopting, how many leave with an exit transition
RESUME_SHARE = 0.5  # of those put on hold, how many come back to the stage they left
SECOND_PROGRAMME = 0.4
FIRST_DAY = date(2021, 1, 1)
SIZES = ("micro", "small", "medium", "large")
TRADE_WORDS = (
    "Fundición", "Textil", "Plásticos", "Química", "Alimentos", "Papelera", "Metalmecánica", "Cerámica",
    "Curtiembre", "Pesquera", "Envases", "Maderera", "Vidriería", "Lácteos", "Bebidas", "Pinturas",
    "Galvanizados", "Gráfica", "Conservas", "Aceros",
)  # fmt: skip
TRADE_PLACES = (
    "Andina", "del Pacífico", "Callao", "San Martín", "Los Andes", "Lurín", "Santa Rosa", "El Sol", "Inca",
    "Costa Verde", "del Norte", "del Sur", "Chilca", "Ventanilla", "Pachacámac", "Rímac", "Huaral",
    "Ñaña", "Santa Anita", "Carabayllo", "Chorrillos", "Ate", "Pucusana", "Huachipa",
)  # fmt: skip
STAKEHOLDER_KINDS = ("government", "bank", "technology_provider", "consultancy", "ngo", "academia", "donor")
MEMBERSHIP_STATUSES = (("active", 55), ("prospective", 15), ("lapsed", 20), ("left", 10))
ORDER = (
    "users", "organisations", "contacts", "memberships", "engagements", "stage_transitions", "interactions",
    "interaction_contacts", "letters", "materialisations", "follow_ups",
)  # fmt: skip


def app_for(url: str):
    """Build the app on the database and bring its schema up to date."""
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from crm import create_app

    # The benches' gunicorn servers get the same SECRET_KEY: the second-factor secrets this app encrypts
    # for the accounts it makes must decrypt there (a different key made every HTTP sign-in fail).
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=url.replace("postgresql://", "postgresql+psycopg://"),
        SECRET_KEY=BENCH_SECRET,
    )
    with app.app_context():
        upgrade()
    # As gunicorn.conf.py does in each served worker: what startup built stays out of full collections,
    # so the in-process timings carry the same (absent) 100-200 ms pauses as the server's.
    gc.collect()
    gc.freeze()
    return app


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


class Generator:
    """The random source, id counters and row sinks shared by everything generated."""

    def __init__(self, conn, tables, seed: int, today: date) -> None:
        from sqlalchemy import func, select

        self.rng = random.Random(seed)
        self.now, self.today = datetime.now(UTC), today
        self.sinks = Sinks(conn, tables, ORDER)
        with_ids = [name for name in ORDER if name != "interaction_contacts"]
        self.next = {name: (conn.scalar(select(func.max(tables[name].c.id))) or 0) + 1 for name in with_ids}
        self.ref = reference(conn)
        self.owners: list[int] = []
        self.associations: list[int] = []

    def take(self, table: str, count: int = 1) -> int:
        """Reserve count ids of a table; return the first."""
        first = self.next[table]
        self.next[table] += count
        return first

    def day_between(self, start: date, end: date) -> date:
        """Return a random day from start to end."""
        return start + timedelta(days=self.rng.randrange(max(1, (end - start).days)))


def people(g: Generator, count: int) -> None:
    """Queue the owners (staff users, password Bench-owner-1) and remember their ids."""
    from werkzeug.security import generate_password_hash

    password = generate_password_hash("Bench-owner-1")
    for n in range(count):
        uid = g.take("users")
        g.sinks["users"].add(
            {"id": uid, "email": f"bench-owner-{uid}@bench.pe", "name": f"Bench Owner {n + 1}",
             "password_hash": password, "role": "staff", "locale": "es", "active": True,
             "created_at": g.now, "updated_at": g.now}
        )  # fmt: skip
        g.owners.append(uid)


def organisation(g: Generator, kind: str, name: str, **extra) -> int:
    """Queue an organisation (search_text and name_key filled as the ORM hook would); return its id."""
    from crm.imports.matching import name_key
    from crm.text import fold

    org_id = g.take("organisations")
    updated = g.now - timedelta(days=g.rng.randrange(700), seconds=g.rng.randrange(86_400))
    row = {"id": org_id, "kind": kind, "legal_name": name, "trade_name": None, "ruc": None, "sector_id": None,
           "size": None, "district_id": None, "website": None, "owner_id": None, "notes": None,
           "version_id": 1, "created_at": updated, "updated_at": updated}  # fmt: skip
    row.update(extra)
    parts = (row["legal_name"], row["trade_name"], row["ruc"])
    row["search_text"] = fold(" ".join(p for p in parts if p))[:420]
    row["name_key"] = name_key(name)[:300]
    g.sinks["organisations"].add(row)
    return org_id


def path_of(rng: random.Random, stages: tuple[str, ...], exits: tuple[str, ...]) -> list[str]:
    """Draw an engagement's stages: forward in order, maybe an exit, at most one pause resumed."""
    path, paused = [stages[0]], False
    while path[-1] != stages[-1]:
        current = path[-1]
        if rng.random() < ADVANCE[current]:
            path.append(stages[stages.index(current) + 1])
            continue
        if rng.random() >= EXIT_SHARE:
            break
        path.append(rng.choice(exits))
        if path[-1] != "on_hold" or paused or rng.random() >= RESUME_SHARE:
            break
        paused = True
        path.append(current)  # back at the stage it paused in; the next draw decides whether it moves on
    return path


def transitions(g: Generator, engagement_id: int, path: list[str]) -> list[tuple[str, date]]:
    """Queue the transitions of a path, dated forward from a random start; return (stage, day) pairs."""
    from crm.models import EXITS

    day = g.day_between(FIRST_DAY, g.today - timedelta(days=60))
    steps, previous = [], None
    for stage in path:
        exit_ = stage in EXITS
        g.sinks["stage_transitions"].add(
            {"id": g.take("stage_transitions"), "engagement_id": engagement_id, "from_stage": previous,
             "to_stage": stage, "occurred_on": day, "recorded_at": activity.stamp(day), "by_id": None,
             "note": "bench" if exit_ else None,
             "barrier_id": g.rng.choice(g.ref["barriers"]) if exit_ else None}
        )  # fmt: skip
        steps.append((stage, day))
        previous = stage
        day = min(g.today, day + timedelta(days=g.rng.randint(5, 120)))
    return steps


def engagements(g: Generator, company_id: int) -> list[tuple[int, list[tuple[str, date]]]]:
    """Queue a company's engagements and their transitions; return (programme, steps) per engagement."""
    from crm.models import EXITS, STAGES

    programmes = g.ref["programmes"][:1]
    if g.rng.random() < SECOND_PROGRAMME:
        programmes += g.ref["programmes"][1:2]
    found = []
    for programme in programmes:
        eid = g.take("engagements")
        steps = transitions(g, eid, path_of(g.rng, STAGES, EXITS))
        source = g.rng.choice(g.associations) if g.rng.random() < 0.4 else None
        g.sinks["engagements"].add(
            {"id": eid, "organisation_id": company_id, "programme_id": programme, "stage": steps[-1][0],
             "stage_since": steps[-1][1], "source_association_id": source, "version_id": 1,
             "created_at": activity.stamp(steps[0][1]), "updated_at": activity.stamp(steps[-1][1])}
        )  # fmt: skip
        found.append((programme, steps))
    return found


def memberships(g: Generator, company_id: int) -> None:
    """Queue none, one or two association memberships with the seed's status mix."""
    count = g.rng.choices((0, 1, 2), (55, 35, 10))[0]
    for association in g.rng.sample(g.associations, k=count):
        reviewed = g.now - timedelta(days=g.rng.randrange(400)) if g.rng.random() < 0.5 else None
        g.sinks["memberships"].add(
            {"id": g.take("memberships"), "company_id": company_id, "association_id": association,
             "status": activity.pick(g.rng, MEMBERSHIP_STATUSES), "since": None, "last_reviewed_at": reviewed,
             "last_reviewed_by_id": None, "created_at": g.now, "updated_at": g.now}
        )  # fmt: skip


def company(g: Generator, n: int) -> None:
    """Queue the n-th bench company with everything that hangs from it."""
    from crm.models import STAGES
    from crm.ruc import make_ruc

    owner = g.rng.choice(g.owners)
    trade = f"{g.rng.choice(TRADE_WORDS)} {g.rng.choice(TRADE_PLACES)}"
    org_id = organisation(
        g, "company", f"Empresa Bench {n:06d} SAC", trade_name=trade,
        ruc=make_ruc("20", f"{RUC_BASE + n:08d}"), sector_id=g.rng.choice(g.ref["sectors"]),
        size=g.rng.choice(SIZES), district_id=g.rng.choice(g.ref["districts"]), owner_id=owner,
    )  # fmt: skip
    memberships(g, org_id)
    found = engagements(g, org_id)
    depth = max(STAGES.index(s) for _, steps in found for s, _ in steps if s in STAGES)
    start = min(steps[0][1] for _, steps in found)
    count = g.rng.randint(1, 7) + 3 * depth
    people = activity.contacts(g, org_id, g.rng.randint(1, 5))
    activity.interactions(g, org_id, owner, people, start, count)
    activity.letters_of(g, org_id, owner, found)


def others(g: Generator, count: int) -> None:
    """Queue the associations and the other stakeholders (with their letters)."""
    for n in range(8):
        g.associations.append(organisation(g, "association", f"Gremio Bench {n + 1}"))
        activity.contacts(g, g.associations[-1], 3)
    for n in range(max(10, count // 100)):
        kind = STAKEHOLDER_KINDS[n % len(STAKEHOLDER_KINDS)]
        org_id = organisation(g, kind, f"Entidad Bench {n + 1:05d}")
        activity.contacts(g, org_id, g.rng.randint(1, 3))
        activity.stakeholder_letters(g, org_id, kind)


def generate(app, count: int, seed: int) -> dict[str, int]:
    """Insert count companies and everything hanging from them; return row counts."""
    from sqlalchemy import func, select

    from crm.clock import today
    from crm.extensions import db

    tables = db.metadata.tables
    with app.app_context(), db.engine.begin() as conn:
        orgs = tables["organisations"]
        if conn.scalar(select(func.count()).where(orgs.c.legal_name.like("Empresa Bench %"))):
            raise SystemExit("Bench companies are already in this database: use a fresh one.")
        fast_load(conn)
        g = Generator(conn, tables, seed, today())
        people(g, max(6, count // 5000))
        others(g, count)
        g.sinks.flush()
        for n in range(count):
            company(g, n)
            if n % CHUNK == CHUNK - 1:
                g.sinks.flush()
        g.sinks.flush()
        finish(conn, [name for name in ORDER if name != "interaction_contacts"])
        analyze(conn)
        # COPY runs no flush hook: fill the report aggregates as `flask crm rebuild-aggregates` does.
        from crm.interactions import last_seen
        from crm.pipeline import company_reach, stage_rank
        from crm.pipeline.reach import rebuild

        rebuild(conn)
        company_reach.rebuild(conn)
        last_seen.rebuild(conn)
        stage_rank.rebuild(conn)
    with app.app_context():
        vacuum_analyze(db.engine)
    return {"companies": count, **g.sinks.counts()}


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

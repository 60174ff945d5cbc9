"""load ISIC Rev.4 sectors and Peruvian districts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00.000000

Reference data read from migrations/data/*.csv: the 21 sections and 88 divisions of
ISIC Rev.4 (English and the Spanish of INEI's CIIU Rev.4; a division's parent is its
section) and the districts of Callao, Lima and part of Cañete with their INEI ubigeo.
The tables are defined here with sa.table() so that later model changes cannot break
this migration.
"""
import csv
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

sectors = sa.table(
    "sectors",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name_es", sa.String),
    sa.column("name_en", sa.String),
    sa.column("parent_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
districts = sa.table(
    "districts",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("province", sa.String),
    sa.column("region", sa.String),
    sa.column("ubigeo", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def read_csv(name):
    """Return the rows of a data file as dicts."""
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def stamped(row, now):
    """Add the timestamp columns to a row."""
    return {**row, "created_at": now, "updated_at": now}


def sector_ids(codes):
    """Return {code: id} of the given sector codes."""
    query = sa.select(sectors.c.code, sectors.c.id).where(sectors.c.code.in_(codes))
    return {code: ident for code, ident in op.get_bind().execute(query)}


def upgrade():
    now = datetime.now(UTC)
    rows = read_csv("isic_rev4.csv")
    sections = [r for r in rows if not r["parent"]]
    divisions = [r for r in rows if r["parent"]]
    op.bulk_insert(sectors, [
        stamped({"code": r["code"], "name_en": r["name_en"], "name_es": r["name_es"], "parent_id": None}, now)
        for r in sections
    ])
    parents = sector_ids([r["code"] for r in sections])
    op.bulk_insert(sectors, [
        stamped({"code": r["code"], "name_en": r["name_en"], "name_es": r["name_es"],
                 "parent_id": parents[r["parent"]]}, now)
        for r in divisions
    ])
    op.bulk_insert(districts, [stamped(dict(r), now) for r in read_csv("districts.csv")])


def downgrade():
    rows = read_csv("isic_rev4.csv")
    # Divisions first: they point at their sections.
    for level in ([r["code"] for r in rows if r["parent"]], [r["code"] for r in rows if not r["parent"]]):
        op.execute(sectors.delete().where(sectors.c.code.in_(level)))
    ubigeos = [r["ubigeo"] for r in read_csv("districts.csv")]
    op.execute(districts.delete().where(districts.c.ubigeo.in_(ubigeos)))

"""load the barrier reasons and the two programmes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00.000000

Reference data for the pipeline: the reasons companies give for leaving it
(migrations/data/barriers.csv, from shared/data/barriers.csv with a Spanish text)
and the two programmes of the project. Admins can edit both afterwards.
"""
import csv
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

barriers = sa.table(
    "barriers",
    sa.column("code", sa.String),
    sa.column("reason_es", sa.String),
    sa.column("reason_en", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
programmes = sa.table(
    "programmes",
    sa.column("code", sa.String),
    sa.column("name_es", sa.String),
    sa.column("name_en", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
PROGRAMMES = [
    ("ZIS-CALLAO", "Zona industrial sostenible del Callao", "Sustainable industrial zone of Callao"),
    ("PEI", "Parques eco-industriales", "Eco-industrial parks"),
]


def read_barriers():
    """Return the barrier rows of the data file."""
    with open(DATA_DIR / "barriers.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def upgrade():
    now = datetime.now(UTC)
    stamp = {"active": True, "created_at": now, "updated_at": now}
    op.bulk_insert(barriers, [{**row, **stamp} for row in read_barriers()])
    op.bulk_insert(programmes, [
        {"code": code, "name_es": es, "name_en": en, **stamp} for code, es, en in PROGRAMMES
    ])


def downgrade():
    op.execute(programmes.delete().where(programmes.c.code.in_([p[0] for p in PROGRAMMES])))
    op.execute(barriers.delete().where(barriers.c.code.in_([r["code"] for r in read_barriers()])))

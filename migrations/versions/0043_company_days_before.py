"""keep on each company day the day its company last reached contacted, letter and assessed before it

Issue 17: conversion by referring association and by membership over a period took 51 and 54 ms p95 at
100,000 companies (goal 50): each grouped the period's 34,694 company days per company (19,363) before
counting. Each company_days row now keeps, for contacted, letter of interest signed and assessed, the
latest earlier day of the same company and programme key at or past that stage, and on programme rows the
same within the company's referring association. A row in the period at or past a stage whose day before
is empty or before the period is the company's first there, so the report adds rows without grouping.
crm.pipeline.company_reach maintains the columns with the rest of the row; filled here from the rows.

Revision ID: 0043_company_days_before
Revises: 0042_company_reach_stage
Create Date: 2026-12-07 22:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0043_company_days_before"
down_revision = "0042_company_reach_stage"
branch_labels = None
depends_on = None

STAGES = {"contacted": 1, "loi_signed": 3, "assessed": 4}  # their ranks on the forward path
BEFORE = [f"{stage}_before" for stage in STAGES]
REFERRAL = [f"referral_{name}" for name in BEFORE]
OLD_INCLUDE = [
    "kind",
    "organisation_id",
    "top",
    "pending_top",
    "source_id",
    "sector_id",
    "district_id",
    "owner_id",
    "size",
]
EARLIER = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
KEY = f"PARTITION BY organisation_id, programme_key ORDER BY reached_on {EARLIER}"
REFERRED = (
    f"PARTITION BY organisation_id, programme_key <> 0, source_id "
    f"ORDER BY reached_on, programme_key {EARLIER}"
)


def windows():
    """Return the select list of the days before, as crm.pipeline.company_reach computes them."""
    keyed = [
        f"MAX(CASE WHEN top >= {rank} THEN reached_on END) OVER ({KEY}) AS {stage}_before"
        for stage, rank in STAGES.items()
    ]
    referred = [
        f"CASE WHEN programme_key <> 0 THEN MAX(CASE WHEN top >= {rank} THEN reached_on END) "
        f"OVER ({REFERRED}) END AS referral_{stage}_before"
        for stage, rank in STAGES.items()
    ]
    return ", ".join(keyed + referred)


KEPT = ["organisation_id", "programme_key", "reached_on", "top", "pending_top", "source_id"]
KEPT += ["kind", "sector_id", "district_id", "owner_id", "size"]
ALL = ", ".join(KEPT + BEFORE + REFERRAL)
FILLED = f"""CREATE TEMPORARY TABLE company_days_filled AS
SELECT {", ".join(KEPT)}, {windows()} FROM company_days"""  # noqa: S608 - every piece is a constant of this file
REFILL = f"INSERT INTO company_days ({ALL}) SELECT {ALL} FROM company_days_filled"  # noqa: S608 - the same


def upgrade():
    op.drop_index("ix_company_days_report", table_name="company_days")
    with op.batch_alter_table("company_days", schema=None) as batch_op:
        for name in BEFORE + REFERRAL:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
    # Refilled rather than updated in place: on PostgreSQL an UPDATE of every row leaves the table and its
    # indexes twice their size (the old row versions) until a VACUUM FULL; TRUNCATE starts new files.
    op.execute(FILLED)
    op.execute("DELETE FROM company_days" if sqlite() else "TRUNCATE company_days")
    op.execute(REFILL)
    op.execute("DROP TABLE company_days_filled")
    op.create_index(
        "ix_company_days_report",
        "company_days",
        ["programme_key", "reached_on"],
        unique=False,
        postgresql_include=OLD_INCLUDE + BEFORE + REFERRAL,
    )
    if not sqlite():
        op.execute("ANALYZE company_days")  # the reports' plans read the new index from the start


def sqlite():
    """Return whether the database is SQLite."""
    return op.get_bind().dialect.name == "sqlite"


def downgrade():
    op.drop_index("ix_company_days_report", table_name="company_days")
    with op.batch_alter_table("company_days", schema=None) as batch_op:
        for name in reversed(BEFORE + REFERRAL):
            batch_op.drop_column(name)
    op.create_index(
        "ix_company_days_report",
        "company_days",
        ["programme_key", "reached_on"],
        unique=False,
        postgresql_include=OLD_INCLUDE,
    )

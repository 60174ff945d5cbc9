"""keep on each company day the day its company last reached each stage before it

Issue 17: over a period, the funnel and conversion grouped the period's company days per company before
counting (a half year at 100,000 companies: 34,694 rows into 19,363 companies; a year 69,963 into 30,380):
conversion by referral and by membership took 51 and 54 ms p95 (goal 50), the funnel page of a year with
a sector 86-90 ms p50. Each company_days row now keeps, per stage, the latest earlier day of the same
company and programme key at or past that stage; the same by evidence pending for the stages from the
letter of interest on; and, on programme rows, for contacted, letter and assessed within the company's
referring association. A row in the period at or past a stage whose day before is empty or before the
period is the company's first there, so the reports add rows without grouping them.
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

STAGES = {"identified": 0, "contacted": 1, "meeting_held": 2, "loi_signed": 3, "assessed": 4,
          "technical_assistance": 5, "feasibility_delivered": 6, "adopting": 7}  # ranks on the forward path
PAST_GATE = [stage for stage, rank in STAGES.items() if rank >= STAGES["loi_signed"]]
REFERRAL_STAGES = ["contacted", "loi_signed", "assessed"]
BEFORE = [f"{stage}_before" for stage in STAGES]
PENDING = [f"pending_{stage}_before" for stage in PAST_GATE]
REFERRAL = [f"referral_{stage}_before" for stage in REFERRAL_STAGES]
NEW = BEFORE + PENDING + REFERRAL
OLD_INCLUDE = ["kind", "organisation_id", "top", "pending_top", "source_id", "sector_id", "district_id",
               "owner_id", "size"]  # fmt: skip
EARLIER = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
KEY = f"PARTITION BY organisation_id, programme_key ORDER BY reached_on {EARLIER}"
REFERRED = (
    f"PARTITION BY organisation_id, programme_key <> 0, source_id "
    f"ORDER BY reached_on, programme_key {EARLIER}"
)


def windows():
    """Return the select list of the days before, as crm.pipeline.company_reach computes them."""
    keyed = [f"MAX(CASE WHEN top >= {rank} THEN reached_on END) OVER ({KEY}) AS {stage}_before"
             for stage, rank in STAGES.items()]  # fmt: skip
    pending = [f"MAX(CASE WHEN pending_top >= {STAGES[stage]} THEN reached_on END) OVER ({KEY}) "
               f"AS pending_{stage}_before" for stage in PAST_GATE]  # fmt: skip
    referred = [f"CASE WHEN programme_key <> 0 THEN MAX(CASE WHEN top >= {STAGES[stage]} THEN reached_on END) "
                f"OVER ({REFERRED}) END AS referral_{stage}_before" for stage in REFERRAL_STAGES]  # fmt: skip
    return ", ".join(keyed + pending + referred)


KEPT = ["organisation_id", "programme_key", "reached_on", "top", "pending_top", "source_id"]
KEPT += ["kind", "sector_id", "district_id", "owner_id", "size"]
ALL = ", ".join(KEPT + NEW)
FILLED = f"""CREATE TEMPORARY TABLE company_days_filled AS
SELECT {", ".join(KEPT)}, {windows()} FROM company_days"""  # noqa: S608 - every piece is a constant of this file
REFILL = f"INSERT INTO company_days ({ALL}) SELECT {ALL} FROM company_days_filled"  # noqa: S608 - the same


def upgrade():
    op.drop_index("ix_company_days_report", table_name="company_days")
    with op.batch_alter_table("company_days", schema=None) as batch_op:
        for name in NEW:
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
        postgresql_include=OLD_INCLUDE + NEW,
    )
    if not sqlite():
        op.execute("ANALYZE company_days")  # the reports' plans read the new index from the start


def sqlite():
    """Return whether the database is SQLite."""
    return op.get_bind().dialect.name == "sqlite"


def downgrade():
    op.drop_index("ix_company_days_report", table_name="company_days")
    with op.batch_alter_table("company_days", schema=None) as batch_op:
        for name in reversed(NEW):
            batch_op.drop_column(name)
    op.create_index(
        "ix_company_days_report",
        "company_days",
        ["programme_key", "reached_on"],
        unique=False,
        postgresql_include=OLD_INCLUDE,
    )

"""keep each company's furthest stage per day it moved forward, and per referring association, for the reports

Issue 17: with a period, the funnel and the conversion tables grouped the period's stage_reach rows per
company after joining every row to its company (90-400 ms at 100,000 companies). company_days holds, per
organisation, programme (programme_key 0 for every programme together) and day it moved forward, the
furthest stage rank its engagements moved to that day (and through an engagement whose signed letter of
interest has no scan yet), the referring association on a programme's rows, and the organisation's kind,
sector, district, owner and size, so a period reads one narrow row per company and day without a join.
company_reach.source_top holds, on one programme row per (organisation, referring association), the
furthest rank of all its rows with that association: conversion by referral then counts each company once
per association without grouping per company (it took 250-310 ms).
Kept by crm.pipeline.company_reach in the flush of every change, rebuilt by `flask crm rebuild-aggregates`;
filled here from stage_reach in one pass.

Revision ID: 0032_company_days
Revises: 0031_company_reach
Create Date: 2026-12-07 06:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0032_company_days'
down_revision = '0031_company_reach'
branch_labels = None
depends_on = None

COPIES = ['sector_id', 'district_id', 'owner_id', 'size']
# A signed letter of interest covering the engagement (same company; its programme or none), scanned or not.
COVERING = """SELECT 1 FROM letters l WHERE l.organisation_id = e.organisation_id AND l.kind = 'interest'
AND l.status = 'signed' AND (l.programme_id = e.programme_id OR l.programme_id IS NULL)
AND l.document_id IS {scan}"""
UNSCANNED = f"EXISTS ({COVERING.format(scan='NULL')}) AND NOT EXISTS ({COVERING.format(scan='NOT NULL')})"
DAYS = """
SELECT e.organisation_id AS organisation_id, {key} AS programme_key, r.reached_on AS reached_on,
  MAX(r.stage_rank) AS top, MAX(CASE WHEN """ + UNSCANNED + """ THEN r.stage_rank END) AS pending_top,
  {source} AS source_id
FROM engagements e JOIN stage_reach r ON r.engagement_id = e.id
GROUP BY e.organisation_id, r.reached_on{group}
"""


# The first programme row of each (organisation, referring association) gets the group's furthest rank.
SOURCE_TOP = """UPDATE company_reach SET source_top = (SELECT MAX(o.top) FROM company_reach o
WHERE o.organisation_id = company_reach.organisation_id AND o.programme_key <> 0
AND COALESCE(o.source_id, 0) = COALESCE(company_reach.source_id, 0))
WHERE programme_key <> 0 AND programme_key = (SELECT MIN(o.programme_key) FROM company_reach o
WHERE o.organisation_id = company_reach.organisation_id AND o.programme_key <> 0
AND COALESCE(o.source_id, 0) = COALESCE(company_reach.source_id, 0))"""


def fill() -> None:
    """Insert every organisation's rows from stage_reach and organisations, in one statement."""
    source = 'MAX(e.source_association_id)'  # one engagement per company and programme
    per_programme = DAYS.format(key='e.programme_id', source=source, group=', e.programme_id')
    every = DAYS.format(key='0', source='CAST(NULL AS INTEGER)', group='')
    columns = 'organisation_id, programme_key, reached_on, top, pending_top, source_id'
    op.execute(
        f'INSERT INTO company_days ({columns}, '  # noqa: S608 - every piece is a constant of this file
        'kind, sector_id, district_id, owner_id, size) SELECT t.organisation_id, t.programme_key, t.reached_on, '
        't.top, t.pending_top, t.source_id, o.kind, o.sector_id, o.district_id, o.owner_id, o.size '
        f'FROM ({per_programme} UNION ALL {every}) t JOIN organisations o ON o.id = t.organisation_id'
    )


def upgrade():
    op.create_table(
        'company_days',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('programme_key', sa.Integer(), nullable=False),
        sa.Column('reached_on', sa.Date(), nullable=False),
        sa.Column('top', sa.SmallInteger(), nullable=False),
        sa.Column('pending_top', sa.SmallInteger(), nullable=True),
        sa.Column('source_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('sector_id', sa.Integer(), nullable=True),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('size', sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_company_days_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'programme_key', 'reached_on', name=op.f('pk_company_days')),
    )
    fill()
    op.create_index('ix_company_days_report', 'company_days', ['programme_key', 'reached_on'], unique=False,
                    postgresql_include=['kind', 'organisation_id', 'top', 'pending_top', 'source_id', *COPIES])
    op.add_column('company_reach', sa.Column('source_top', sa.SmallInteger(), nullable=True))
    op.execute(SOURCE_TOP)
    covering_indexes()
    # The reports' plans need the new statistics from the start (and PostgreSQL's index-only scans the
    # visibility map, which autovacuum keeps after this).
    for table in ('company_days', 'company_reach', 'stage_exits', 'stage_stays'):
        op.execute(f'ANALYZE {table}')


def covering_indexes() -> None:
    """Replace the report tables' indexes by narrow ones the reports can read alone (index-only scans)."""
    op.drop_index('ix_company_reach_programme_key_top', table_name='company_reach')
    op.create_index('ix_company_reach_report', 'company_reach', ['programme_key', 'kind', 'top', 'pending_top'],
                    unique=False)
    op.create_index('ix_stage_exits_report', 'stage_exits', ['kind', 'from_stage', 'to_stage', 'barrier_id'],
                    unique=False)
    op.drop_index('ix_stage_stays_stage_days', table_name='stage_stays')
    op.create_index('ix_stage_stays_report', 'stage_stays', ['stage', 'days', 'kind'], unique=False)


def downgrade():
    op.drop_index('ix_stage_stays_report', table_name='stage_stays')
    op.create_index('ix_stage_stays_stage_days', 'stage_stays', ['stage', 'days'], unique=False)
    op.drop_index('ix_stage_exits_report', table_name='stage_exits')
    op.drop_index('ix_company_reach_report', table_name='company_reach')
    op.create_index('ix_company_reach_programme_key_top', 'company_reach', ['programme_key', 'top'], unique=False)
    with op.batch_alter_table('company_reach') as batch:
        batch.drop_column('source_top')
    op.drop_index('ix_company_days_report', table_name='company_days')
    op.drop_table('company_days')

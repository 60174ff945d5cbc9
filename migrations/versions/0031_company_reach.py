"""keep each company's furthest stage, its exits and its stays beside its report filters, for the reports

Issue 17: the funnel and the conversion tables grouped every stage_reach row per company on every request
(0.3-2 s at 100,000 companies). company_reach holds, per organisation and programme (programme_key 0 for
every programme together), the furthest stage rank its engagements ever reached (and reached through an
engagement whose signed letter of interest has no scan yet), with the organisation's
kind, sector, district, owner and size copied so that reports filter and group without a join. Kept by
crm.pipeline.company_reach in the flush of every change, rebuilt by `flask crm rebuild-aggregates`;
filled here from stage_reach in one pass. stage_exits holds every exit transition (to declined, on hold,
withdrawn) with the same copies, so the funnel's exits table groups it without joining engagements and
companies (0.3 s at 100,000 companies); stage_stays every finished stay in a stage (a transition until the
engagement's next one, in days), so time in stage counts stays per length instead of ordering the whole
history on each request (1-4 s).

Revision ID: 0031_company_reach
Revises: 0030_custom_indicators
Create Date: 2026-12-07 03:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0031_company_reach'
down_revision = '0030_custom_indicators'
branch_labels = None
depends_on = None

# A signed letter of interest covering the engagement (same company; its programme or none), scanned or not.
COVERING = """SELECT 1 FROM letters l WHERE l.organisation_id = e.organisation_id AND l.kind = 'interest'
AND l.status = 'signed' AND (l.programme_id = e.programme_id OR l.programme_id IS NULL)
AND l.document_id IS {scan}"""
UNSCANNED = f"EXISTS ({COVERING.format(scan='NULL')}) AND NOT EXISTS ({COVERING.format(scan='NOT NULL')})"
TOPS = """
SELECT e.organisation_id AS organisation_id, {key} AS programme_key, MAX(r.stage_rank) AS top,
  MAX(CASE WHEN """ + UNSCANNED + """ THEN r.stage_rank END) AS pending_top, {source} AS source_id
FROM engagements e
LEFT JOIN stage_reach r ON r.engagement_id = e.id AND r.furthest = {true}
GROUP BY e.organisation_id{group}
"""


def fill() -> None:
    """Insert every organisation's rows from stage_reach and organisations, in one statement."""
    true = 'TRUE' if op.get_bind().dialect.name == 'postgresql' else '1'
    source = 'MAX(e.source_association_id)'  # one engagement per company and programme
    per_programme = TOPS.format(key='e.programme_id', source=source, true=true, group=', e.programme_id')
    every = TOPS.format(key='0', source='CAST(NULL AS INTEGER)', true=true, group='')
    op.execute(
        'INSERT INTO company_reach (organisation_id, programme_key, top, pending_top, source_id, kind, '
        'sector_id, district_id, owner_id, size) SELECT t.organisation_id, t.programme_key, t.top, '
        f't.pending_top, t.source_id, o.kind, o.sector_id, o.district_id, o.owner_id, o.size FROM ({per_programme} UNION ALL {every}) t '
        'JOIN organisations o ON o.id = t.organisation_id'
    )


def fill_exits() -> None:
    """Insert every exit transition with its company's filter columns, in one statement."""
    op.execute(
        'INSERT INTO stage_exits (transition_id, organisation_id, programme_id, occurred_on, from_stage, '
        'to_stage, barrier_id, kind, sector_id, district_id, owner_id) SELECT t.id, e.organisation_id, '
        'e.programme_id, t.occurred_on, t.from_stage, t.to_stage, t.barrier_id, o.kind, o.sector_id, '
        'o.district_id, o.owner_id FROM stage_transitions t JOIN engagements e ON e.id = t.engagement_id '
        "JOIN organisations o ON o.id = e.organisation_id WHERE t.to_stage IN ('declined', 'on_hold', 'withdrawn')"
    )


def fill_stays() -> None:
    """Insert every finished stay (a transition until the engagement's next one), in one statement."""
    following = 'LEAD(t.occurred_on) OVER (PARTITION BY t.engagement_id ORDER BY t.occurred_on, t.id)'
    if op.get_bind().dialect.name == 'postgresql':
        days = f'({following} - t.occurred_on)'
    else:
        days = f'CAST(julianday({following}) - julianday(t.occurred_on) AS INTEGER)'
    op.execute(
        'INSERT INTO stage_stays (transition_id, organisation_id, programme_id, stage, began, days, kind, '
        'sector_id, district_id, owner_id) SELECT * FROM (SELECT t.id, e.organisation_id, e.programme_id, '
        f't.to_stage, t.occurred_on, {days} AS days, o.kind, o.sector_id, o.district_id, o.owner_id '
        'FROM stage_transitions t JOIN engagements e ON e.id = t.engagement_id '
        'JOIN organisations o ON o.id = e.organisation_id) stays WHERE days IS NOT NULL'
    )


def upgrade():
    op.create_table(
        'company_reach',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('programme_key', sa.Integer(), nullable=False),
        sa.Column('top', sa.SmallInteger(), nullable=True),
        sa.Column('pending_top', sa.SmallInteger(), nullable=True),
        sa.Column('source_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('sector_id', sa.Integer(), nullable=True),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('size', sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_company_reach_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'programme_key', name=op.f('pk_company_reach')),
    )
    op.create_index('ix_company_reach_programme_key_top', 'company_reach', ['programme_key', 'top'], unique=False)
    fill()
    op.create_table(
        'stage_exits',
        sa.Column('transition_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('from_stage', sa.String(length=30), nullable=True),
        sa.Column('to_stage', sa.String(length=30), nullable=False),
        sa.Column('barrier_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('sector_id', sa.Integer(), nullable=True),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_stage_exits_organisation_id_organisations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['transition_id'], ['stage_transitions.id'],
                                name=op.f('fk_stage_exits_transition_id_stage_transitions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('transition_id', name=op.f('pk_stage_exits')),
    )
    op.create_index('ix_stage_exits_organisation_id', 'stage_exits', ['organisation_id'], unique=False)
    op.create_index('ix_stage_exits_occurred_on', 'stage_exits', ['occurred_on'], unique=False)
    fill_exits()
    op.create_table(
        'stage_stays',
        sa.Column('transition_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=30), nullable=False),
        sa.Column('began', sa.Date(), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('sector_id', sa.Integer(), nullable=True),
        sa.Column('district_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_stage_stays_organisation_id_organisations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['transition_id'], ['stage_transitions.id'],
                                name=op.f('fk_stage_stays_transition_id_stage_transitions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('transition_id', name=op.f('pk_stage_stays')),
    )
    op.create_index('ix_stage_stays_organisation_id', 'stage_stays', ['organisation_id'], unique=False)
    op.create_index('ix_stage_stays_stage_days', 'stage_stays', ['stage', 'days'], unique=False)
    fill_stays()


def downgrade():
    op.drop_index('ix_stage_stays_stage_days', table_name='stage_stays')
    op.drop_index('ix_stage_stays_organisation_id', table_name='stage_stays')
    op.drop_table('stage_stays')
    op.drop_index('ix_stage_exits_occurred_on', table_name='stage_exits')
    op.drop_index('ix_stage_exits_organisation_id', table_name='stage_exits')
    op.drop_table('stage_exits')
    op.drop_index('ix_company_reach_programme_key_top', table_name='company_reach')
    op.drop_table('company_reach')

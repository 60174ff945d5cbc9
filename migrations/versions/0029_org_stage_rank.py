"""store each company's furthest current stage, so the organisation list sorts by stage from an index

Issue 17: sorting the organisation list by stage grouped every engagement per request (0.6-0.8 s at
100,000 companies). organisations.stage_rank holds the place on the forward path (STAGES) of the
furthest current stage of the company's engagements (NULL: none, or side exits only), kept by the flush
hook of crm.pipeline.stage_rank and rebuilt by `flask crm rebuild-aggregates`; filled here in one pass.

Revision ID: 0029_org_stage_rank
Revises: 0028_parks_agreements_modules
Create Date: 2026-12-07 00:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029_org_stage_rank'
down_revision = '0028_parks_agreements_modules'
branch_labels = None
depends_on = None

# The forward path as it stood when this migration was written (crm.models.STAGES).
STAGES = ('identified', 'contacted', 'meeting_held', 'loi_signed', 'assessed', 'technical_assistance',
          'feasibility_delivered', 'adopting')


def fill_ranks() -> None:
    """Set every organisation's rank from its engagements, in one grouped UPDATE."""
    rank = ' '.join(f"WHEN '{stage}' THEN {n}" for n, stage in enumerate(STAGES))
    op.execute(
        'UPDATE organisations SET stage_rank = (SELECT MAX(CASE engagements.stage ' + rank + ' END) '
        'FROM engagements WHERE engagements.organisation_id = organisations.id)'
    )


def restore_search_triggers():
    """Re-create the organisations' FTS5 triggers of migration 0017 and rebuild the index (SQLite only).

    SQLite's batch mode drops a column by copying the table, which drops its triggers.
    """
    if op.get_bind().dialect.name != 'sqlite':
        return
    fts, columns = 'fts_organisations', ('legal_name', 'trade_name', 'ruc')
    cols = ', '.join(columns)
    new, old = ', '.join(f'new.{c}' for c in columns), ', '.join(f'old.{c}' for c in columns)
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f'INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});'
    op.execute(f'CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON organisations BEGIN {insert} END')
    op.execute(f'CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON organisations BEGIN {delete} END')
    op.execute(f'CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE ON organisations BEGIN {delete} {insert} END')
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def upgrade():
    # A plain ADD COLUMN (no table copy, so the search triggers stay).
    op.add_column('organisations', sa.Column('stage_rank', sa.SmallInteger(), nullable=True))
    fill_ranks()
    op.create_index('ix_organisations_stage_rank', 'organisations', ['stage_rank', 'id'], unique=False)
    # Descending with the companies without a stage last: the index scanned backwards.
    op.create_index('ix_organisations_stage_rank_desc', 'organisations',
                    [sa.text('coalesce(stage_rank, -1)'), 'id'], unique=False)


def downgrade():
    op.drop_index('ix_organisations_stage_rank_desc', table_name='organisations')
    op.drop_index('ix_organisations_stage_rank', table_name='organisations')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('stage_rank')
    restore_search_triggers()

"""store each organisation's name key, so the duplicates page groups an index instead of computing it

Issue 17: the duplicates page computed every organisation's normalised name (no accents, case,
punctuation or legal-form suffix) in SQL on every request: 2.3 s per page at 100,000 companies. The key is
now a column kept by the model's save hook (and by the import's bulk insert), filled here for existing
rows with the same Python function, and indexed with the district, which is how duplicates are grouped.

Revision ID: 0027_org_name_key
Revises: 0026_default_views
Create Date: 2026-12-06 23:15:00.000000
"""
import sqlalchemy as sa
from alembic import op

from crm.imports.matching import name_key

# revision identifiers, used by Alembic.
revision = '0027_org_name_key'
down_revision = '0026_default_views'
branch_labels = None
depends_on = None

BATCH = 5000


def fill_keys() -> None:
    """Compute the key of every organisation, a batch of ids at a time."""
    bind = op.get_bind()
    orgs = sa.table('organisations', sa.column('id', sa.Integer), sa.column('legal_name', sa.String),
                    sa.column('name_key', sa.String))
    last = 0
    while rows := bind.execute(sa.select(orgs.c.id, orgs.c.legal_name).where(orgs.c.id > last)
                               .order_by(orgs.c.id).limit(BATCH)).all():
        keyed = [{'row_id': row.id, 'key': name_key(row.legal_name)[:300]} for row in rows]
        bind.execute(orgs.update().where(orgs.c.id == sa.bindparam('row_id'))
                     .values(name_key=sa.bindparam('key')), keyed)
        last = rows[-1].id


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
    op.add_column('organisations', sa.Column('name_key', sa.String(length=300), nullable=False, server_default=''))
    fill_keys()
    op.create_index('ix_organisations_name_key', 'organisations', ['name_key', 'district_id'], unique=False)


def downgrade():
    op.drop_index('ix_organisations_name_key', table_name='organisations')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('name_key')
    restore_search_triggers()

"""add a version to events and interactions, for the API's ETag and If-Match

Issue 16: like organisations, contacts and letters, these records now carry a version that every save
increments, so a script's change or deletion based on an older copy is refused (412) instead of silently
overwriting someone else's save. Existing rows start at version 1. (Memberships keep none: the portal
saves hundreds in one executemany, which a version counter would split into one UPDATE each; the API
uses their last save time.)

Revision ID: 0025_record_versions
Revises: 0024_encrypt_secrets
Create Date: 2026-12-06 20:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_record_versions'
down_revision = '0024_encrypt_secrets'
branch_labels = None
depends_on = None

TABLES = ('events', 'interactions')

# SQLite's batch mode copies a table into a new one, which drops its triggers: those keeping the global
# search's FTS5 tables of migration 0017 current. The downgrade puts them back (and rebuilds the index).
FTS_COLUMNS = {
    "events": ("title", "place", "training_module"),
    "interactions": ("summary", "outcome", "next_step"),
}


def restore_search_triggers():
    """Re-create the FTS5 triggers of the copied tables and rebuild their index (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in FTS_COLUMNS.items():
        fts, cols = f"fts_{table}", ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
        insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def upgrade():
    # A plain ADD COLUMN (no table copy, so the search triggers stay); existing rows get version 1.
    for table in TABLES:
        op.add_column(table, sa.Column('version_id', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version_id')
    restore_search_triggers()

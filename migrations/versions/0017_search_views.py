"""history grouped per save, global search indexes and sort indexes (issue 13)

change_log.save_id groups the changes of one save. Global search: on PostgreSQL trigram indexes (pg_trgm,
as migration 0007) on the folded text of interactions, letters and events; on SQLite FTS5 tables kept
current by triggers. Both are left out of the model comparison (names ending in _trgm or starting with
fts_: migrations/env.py and tests/test_migrations.py).

Revision ID: 0017_search_views
Revises: 0016_mail_capture
Create Date: 2026-12-06 05:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_search_views'
down_revision = '0016_mail_capture'
branch_labels = None
depends_on = None


def upgrade():
    """Add the save id to the change history."""
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('save_id', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_change_log_save_id'), ['save_id'], unique=False)


def downgrade():
    """Remove the save id."""
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_save_id'))
        batch_op.drop_column('save_id')

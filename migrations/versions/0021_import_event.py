"""add the event of an attendance import batch

Issue 19: an event's sign-in sheet is imported through the import machinery; the batch names the event
whose attendance it records (set null if the event is deleted, so the batch stays in the history).

Revision ID: 0021_import_event
Revises: 0020_event_registration
Create Date: 2026-12-06 17:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_import_event'
down_revision = '0020_event_registration'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_import_batches_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_import_batches_event_id_events'), 'events',
                                    ['event_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_import_batches_event_id_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_import_batches_event_id'))
        batch_op.drop_column('event_id')

"""job outbox: jobs that must not be lost, written in the transaction that starts them

Issue 12: imports and on-demand metric snapshots no longer enqueue their job directly. The request writes
a job_outbox row in its own transaction; after the commit the row is handed to Redis (and deleted), or the
periodic dispatcher hands it over once Redis answers again.

Revision ID: 0010_job_outbox
Revises: 0009_membership_confirmation
Create Date: 2026-11-30 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_job_outbox'
down_revision = '0009_membership_confirmation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=200), nullable=False),
        sa.Column('args', sa.JSON(), nullable=False),
        sa.Column('job_id', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_outbox')),
    )
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_outbox_job_id'), ['job_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_outbox_job_id'))
    op.drop_table('job_outbox')

"""add indexes for the board and for open follow-ups by assignee

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 12:00:00.000000

Measured in bench/ at 100k organisations: the board reads one programme's cards per
stage ordered by time in stage, and My work and the daily digest read a person's open
follow-ups by due date (partial index: done follow-ups are most of the table).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.create_index(
            'ix_engagements_programme_stage_since', ['programme_id', 'stage', 'stage_since'], unique=False
        )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(
            'ix_follow_ups_open_assignee_due', ['assignee_id', 'due_on'], unique=False,
            sqlite_where=sa.text('done_at IS NULL'), postgresql_where=sa.text('done_at IS NULL'),
        )


def downgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_open_assignee_due')
    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.drop_index('ix_engagements_programme_stage_since')

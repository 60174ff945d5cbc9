"""memberships start pending confirmation when a liaison adds an existing company

Issue 11: a liaison who adds an existing company as a member must not see its
contacts until the company's owner or the outreach coordinator confirms. Existing
memberships migrate as confirmed (server default); who decided and when is kept,
with the follow-up that asked for the decision.

Revision ID: 0009_membership_confirmation
Revises: 0008
Create Date: 2026-11-24 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_membership_confirmation'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('confirmation', sa.String(length=10), server_default='confirmed', nullable=False)
        )
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_memberships_confirmation'), ['confirmation'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_follow_up_id'), ['follow_up_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_memberships_decided_by_id_users'), 'users', ['decided_by_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_memberships_follow_up_id_follow_ups'), 'follow_ups', ['follow_up_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_memberships_follow_up_id_follow_ups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_memberships_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_memberships_follow_up_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_decided_by_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_confirmation'))
        batch_op.drop_column('follow_up_id')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('confirmation')

"""add a default saved view per user and list

Issue 13: a user marks one of the views offered on a list (their own or a shared one) as the one the list
opens with. One row per user and list page; deleting the view or the user deletes the row.

Revision ID: 0026_default_views
Revises: 0025_record_versions
Create Date: 2026-12-06 23:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_default_views'
down_revision = '0025_record_versions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_view_defaults',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.String(length=30), nullable=False),
    sa.Column('saved_view_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['saved_view_id'], ['saved_views.id'],
                            name=op.f('fk_saved_view_defaults_saved_view_id_saved_views'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_view_defaults_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'page', name=op.f('pk_saved_view_defaults'))
    )
    with op.batch_alter_table('saved_view_defaults', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_view_defaults_saved_view_id'), ['saved_view_id'], unique=False)


def downgrade():
    with op.batch_alter_table('saved_view_defaults', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_view_defaults_saved_view_id'))
    op.drop_table('saved_view_defaults')

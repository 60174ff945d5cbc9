"""add admin-defined indicators (computed from the catalogue or entered per period) and targets per period

Issue 15: an indicator has a kind — builtin (the framework's rules named by computed_from, unchanged),
computed (a measure of crm.reports.catalogue with its JSON parameters) or manual (values entered per
half-year period in indicator_entries, read as the latest entry or the sum of the periods). Indicators an
administrator added can be deactivated; indicator_targets holds a target per reporting period.

Revision ID: 0030_custom_indicators
Revises: 0029_org_stage_rank
Create Date: 2026-12-07 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030_custom_indicators'
down_revision = '0029_org_stage_rank'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='builtin', nullable=False))
        batch_op.add_column(sa.Column('measure', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('aggregation', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_indicators_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_indicators_created_by_id_users'), 'users',
                                    ['created_by_id'], ['id'], ondelete='SET NULL')
    op.create_table('indicator_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('target', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'],
                            name=op.f('fk_indicator_targets_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_targets')),
    sa.UniqueConstraint('indicator_id', 'period', name=op.f('uq_indicator_targets_indicator_id'))
    )
    op.create_table('indicator_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'],
                            name=op.f('fk_indicator_entries_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evidence_id'], ['documents.id'],
                            name=op.f('fk_indicator_entries_evidence_id_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'],
                            name=op.f('fk_indicator_entries_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_entries')),
    sa.UniqueConstraint('indicator_id', 'period', name=op.f('uq_indicator_entries_indicator_id'))
    )
    with op.batch_alter_table('indicator_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_entries_entered_by_id'), ['entered_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_entries_evidence_id'), ['evidence_id'], unique=False)


def downgrade():
    with op.batch_alter_table('indicator_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_entries_evidence_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_entries_entered_by_id'))
    op.drop_table('indicator_entries')
    op.drop_table('indicator_targets')
    # The indicators an administrator added go with the columns that describe them.
    op.execute("DELETE FROM indicators WHERE kind <> 'builtin'")
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_indicators_created_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_indicators_created_by_id'))
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('active')
        batch_op.drop_column('aggregation')
        batch_op.drop_column('params')
        batch_op.drop_column('measure')
        batch_op.drop_column('kind')

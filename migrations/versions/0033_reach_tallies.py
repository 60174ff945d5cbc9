"""count companies per report filter and grouping value, so the funnel and conversion read a few rows

Issue 17: the funnel and conversion by sector, division, district, size and owner read one company_reach
row per company on every request (50-180 ms at 100,000 companies). reach_tallies holds, per programme key
(0 for every programme together), pair of a filter dimension (none, sector, district, owner, association)
with its value and a grouping dimension (none, sector, district, owner, size) with its value, furthest
stage and furthest stage with evidence pending, a signed count of companies. It is a ledger:
crm.pipeline.tallies adds -1 under a company's old values and +1 under its new ones in the flush of every
change, and folds the rows periodically; readers add the counts up. company_links holds each company's
associations (active memberships and referrals) as they were counted. Filled here from company_reach,
memberships and engagements.

Revision ID: 0033_reach_tallies
Revises: 0032_company_days
Create Date: 2026-12-07 11:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0033_reach_tallies'
down_revision = '0032_company_days'
branch_labels = None
depends_on = None

# The dimensions' values: 1 sector, 2 district, 3 owner, 4 size (its place among the sizes, from 1),
# 5 association (each of the company's links).
VALUE = """CASE {dim} WHEN 1 THEN r.sector_id WHEN 2 THEN r.district_id WHEN 3 THEN r.owner_id {size}END"""
LINKS = """INSERT INTO company_links (organisation_id, association_id)
SELECT company_id, association_id FROM memberships WHERE status = 'active'
UNION SELECT organisation_id, source_association_id FROM engagements WHERE source_association_id IS NOT NULL"""
SIZE = "WHEN 4 THEN CASE r.size WHEN 'micro' THEN 1 WHEN 'small' THEN 2 WHEN 'medium' THEN 3 WHEN 'large' THEN 4 END "
KEY = 'programme_key, filter_dim, filter_value, group_dim, group_value, top, pending_top'
FILL = f"""INSERT INTO reach_tallies ({KEY}, n)
SELECT {KEY}, COUNT(*) FROM (
  SELECT r.programme_key AS programme_key, f.dim AS filter_dim,
    {VALUE.format(dim='f.dim', size="WHEN 5 THEN l.association_id ")} AS filter_value,
    g.dim AS group_dim, {VALUE.format(dim='g.dim', size=SIZE)} AS group_value, r.top AS top,
    r.pending_top AS pending_top
  FROM company_reach r
  CROSS JOIN (SELECT 0 AS dim UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 5) f
  CROSS JOIN (SELECT 0 AS dim UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) g
  LEFT JOIN company_links l ON l.organisation_id = r.organisation_id AND f.dim = 5
  WHERE r.kind = 'company' AND r.top IS NOT NULL AND (f.dim <> 5 OR l.association_id IS NOT NULL)
) e GROUP BY {KEY}"""  # noqa: S608 - every piece is a constant of this file


def upgrade():
    op.create_table(
        'company_links',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('association_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_company_links_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'association_id', name=op.f('pk_company_links')),
    )
    op.execute(LINKS)
    op.create_table(
        'reach_tallies',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('programme_key', sa.Integer(), nullable=False),
        sa.Column('filter_dim', sa.SmallInteger(), nullable=False),
        sa.Column('filter_value', sa.Integer(), nullable=True),
        sa.Column('group_dim', sa.SmallInteger(), nullable=False),
        sa.Column('group_value', sa.Integer(), nullable=True),
        sa.Column('top', sa.SmallInteger(), nullable=False),
        sa.Column('pending_top', sa.SmallInteger(), nullable=True),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reach_tallies')),
    )
    op.execute(FILL)
    op.create_index('ix_reach_tallies_report', 'reach_tallies',
                    ['programme_key', 'filter_dim', 'group_dim', 'filter_value'], unique=False,
                    postgresql_include=['group_value', 'top', 'pending_top', 'n'])
    op.execute('ANALYZE reach_tallies')
    op.execute('ANALYZE company_links')


def downgrade():
    op.drop_index('ix_reach_tallies_report', table_name='reach_tallies')
    op.drop_table('reach_tallies')
    op.drop_table('company_links')

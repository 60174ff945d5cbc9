"""keep each company's day of first contact beside its reach, so cohorts count one row per company

Issue 17: the cohorts report grouped every stage_reach row (395,000 at 100,000 companies) per company on
each request to find its first contact and furthest stage: 170–320 ms. company_reach now keeps, per
company and programme key (0 for every programme together), the first day an engagement reached
"contacted" or further; crm.pipeline.company_reach maintains it with the rest of the row in the flush of
every change. Cohorts then read one row per company from an index that carries the report's filters.
Filled here from stage_reach.

Revision ID: 0041_company_first_contact
Revises: 0040_period_covering_indexes
Create Date: 2026-12-07 20:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0041_company_first_contact'
down_revision = '0040_period_covering_indexes'
branch_labels = None
depends_on = None

CONTACTED = 1  # "contacted"'s rank on the forward path
FILL = f"""UPDATE company_reach SET first_contact = (
  SELECT MIN(r.reached_on) FROM stage_reach r
  WHERE r.organisation_id = company_reach.organisation_id AND r.stage_rank >= {CONTACTED}
    AND (company_reach.programme_key = 0 OR r.programme_id = company_reach.programme_key))"""
INCLUDE = ['kind', 'top', 'organisation_id', 'sector_id', 'district_id', 'owner_id']


def upgrade():
    with op.batch_alter_table('company_reach', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_contact', sa.Date(), nullable=True))
    op.execute(FILL)
    op.create_index(
        'ix_company_reach_cohorts', 'company_reach', ['programme_key', 'first_contact'],
        postgresql_include=INCLUDE,
    )


def downgrade():
    op.drop_index('ix_company_reach_cohorts', table_name='company_reach')
    with op.batch_alter_table('company_reach', schema=None) as batch_op:
        batch_op.drop_column('first_contact')

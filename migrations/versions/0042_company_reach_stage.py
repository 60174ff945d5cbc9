"""keep each engagement's current stage on its programme's company_reach row, indexed by owner

Issue 17: "My work" at 100,000 companies (about 5,000 per staff member) joined the owner's companies to
every engagement three times per page: the counts per programme and stage (17-23 ms), the companies gone
quiet (31-46 ms) and the evidence pending (31-37 ms): 103-116 ms per page. company_reach's programme rows
(one per engagement) now carry the engagement's stage, kept by crm.pipeline.company_reach in the flush of
every change, and an index by owner carries what those lists read. Filled here from engagements.

Revision ID: 0042_company_reach_stage
Revises: 0041_company_first_contact
Create Date: 2026-12-07 20:50:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0042_company_reach_stage'
down_revision = '0041_company_first_contact'
branch_labels = None
depends_on = None

FILL = """UPDATE company_reach SET stage = (
  SELECT MAX(e.stage) FROM engagements e
  WHERE e.organisation_id = company_reach.organisation_id AND e.programme_id = company_reach.programme_key)
WHERE programme_key <> 0"""


def upgrade():
    with op.batch_alter_table('company_reach', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=30), nullable=True))
    op.execute(FILL)
    op.create_index(
        'ix_company_reach_owner', 'company_reach', ['owner_id', 'programme_key'],
        postgresql_include=['stage', 'pending_top', 'kind', 'organisation_id'],
    )


def downgrade():
    op.drop_index('ix_company_reach_owner', table_name='company_reach')
    with op.batch_alter_table('company_reach', schema=None) as batch_op:
        batch_op.drop_column('stage')

"""maintained stage-reach aggregates (issue 17)

Placeholder reserved for a slice of this wave; it changes nothing until that slice fills it in.

Revision ID: 0011_stage_reach
Revises: 0010_job_outbox
Create Date: 2026-12-06 05:30:00.000000
"""

# revision identifiers, used by Alembic.
revision = '0011_stage_reach'
down_revision = '0010_job_outbox'
branch_labels = None
depends_on = None


def upgrade():
    """Change nothing yet."""


def downgrade():
    """Change nothing yet."""

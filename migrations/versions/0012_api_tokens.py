"""personal access tokens for the API (issue 16)

Placeholder reserved for a slice of this wave; it changes nothing until that slice fills it in.

Revision ID: 0012_api_tokens
Revises: 0011_stage_reach
Create Date: 2026-12-06 05:30:00.000000
"""

# revision identifiers, used by Alembic.
revision = '0012_api_tokens'
down_revision = '0011_stage_reach'
branch_labels = None
depends_on = None


def upgrade():
    """Change nothing yet."""


def downgrade():
    """Change nothing yet."""

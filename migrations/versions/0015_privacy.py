"""consent and erasure records (issue 18)

Placeholder reserved for a slice of this wave; it changes nothing until that slice fills it in.

Revision ID: 0015_privacy
Revises: 0014_two_factor
Create Date: 2026-12-06 05:30:00.000000
"""

# revision identifiers, used by Alembic.
revision = '0015_privacy'
down_revision = '0014_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    """Change nothing yet."""


def downgrade():
    """Change nothing yet."""

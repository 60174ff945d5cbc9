"""emission results, factors and indicators (issue 15)

Placeholder reserved for a slice of this wave; it changes nothing until that slice fills it in.

Revision ID: 0018_results
Revises: 0017_search_views
Create Date: 2026-12-06 05:30:00.000000
"""

# revision identifiers, used by Alembic.
revision = '0018_results'
down_revision = '0017_search_views'
branch_labels = None
depends_on = None


def upgrade():
    """Change nothing yet."""


def downgrade():
    """Change nothing yet."""

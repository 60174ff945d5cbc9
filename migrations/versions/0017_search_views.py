"""global search and saved views (issue 13)

Placeholder reserved for a slice of this wave; it changes nothing until that slice fills it in.

Revision ID: 0017_search_views
Revises: 0016_mail_capture
Create Date: 2026-12-06 05:30:00.000000
"""

# revision identifiers, used by Alembic.
revision = '0017_search_views'
down_revision = '0016_mail_capture'
branch_labels = None
depends_on = None


def upgrade():
    """Change nothing yet."""


def downgrade():
    """Change nothing yet."""

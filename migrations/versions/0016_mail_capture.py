"""mailboxes and captured e-mail (issue 14)

Placeholder reserved for a slice of this wave; it changes nothing until that slice fills it in.

Revision ID: 0016_mail_capture
Revises: 0015_privacy
Create Date: 2026-12-06 05:30:00.000000
"""

# revision identifiers, used by Alembic.
revision = '0016_mail_capture'
down_revision = '0015_privacy'
branch_labels = None
depends_on = None


def upgrade():
    """Change nothing yet."""


def downgrade():
    """Change nothing yet."""

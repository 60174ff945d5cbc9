"""webhook subscriptions and deliveries (issue 16)

Placeholder reserved for a slice of this wave; it changes nothing until that slice fills it in.

Revision ID: 0013_webhooks
Revises: 0012_api_tokens
Create Date: 2026-12-06 05:30:00.000000
"""

# revision identifiers, used by Alembic.
revision = '0013_webhooks'
down_revision = '0012_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    """Change nothing yet."""


def downgrade():
    """Change nothing yet."""

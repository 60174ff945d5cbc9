"""add trigram search indexes (PostgreSQL) and an index for sorting by last update

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 11:00:00.000000

Searching organisations and contacts is a LIKE '%term%' on their folded search_text.
On PostgreSQL a GIN trigram index (pg_trgm) serves it at 100k organisations; the
extension is created when the role may do so, and the indexes skipped otherwise
(search still works, only slower). SQLite has no such index and needs none at the
sizes it is meant for. The trigram indexes are excluded from autogenerate (env.py).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TRGM_INDEXES = (("ix_organisations_search_trgm", "organisations"), ("ix_contacts_search_trgm", "contacts"))


def has_trigrams(bind) -> bool:
    """Create pg_trgm if allowed; return whether it is available."""
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    if available is None:
        return False
    allowed = bind.execute(sa.text(
        "SELECT rolsuper OR EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') "
        "FROM pg_roles WHERE rolname = current_user"
    )).scalar()
    if allowed:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    return bool(allowed)


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index('ix_organisations_updated_at', ['updated_at'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and has_trigrams(bind):
        for name, table in TRGM_INDEXES:
            op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table in TRGM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index('ix_organisations_updated_at')

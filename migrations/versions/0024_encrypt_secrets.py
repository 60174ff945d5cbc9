"""encrypt the two-factor secrets and the webhook signing keys at rest

Issues 16 and 18: a copy of the database (a backup, a dump) must not let anyone make a user's one-time
codes or sign webhooks as the CRM. Both secrets move to Fernet-encrypted columns, with the key from the
environment (ENCRYPTION_KEY, as the mailbox passwords); the downgrade decrypts them back.

Revision ID: 0024_encrypt_secrets
Revises: 0023_consultants
Create Date: 2026-12-06 20:20:00

"""

import sqlalchemy as sa
from alembic import op

from crm.crypto import decrypt, encrypt

# revision identifiers, used by Alembic.
revision = "0024_encrypt_secrets"
down_revision = "0023_consultants"
branch_labels = None
depends_on = None

# (table, plain column, its type, encrypted column, nullable)
SECRETS = (
    ("users", "totp_secret", sa.String(length=64), "totp_secret_encrypted", True),
    ("webhook_subscriptions", "secret", sa.String(length=100), "secret_encrypted", False),
)


def copy_values(table, source, target, convert):
    """Write convert(source) into target for every row that has a source value."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT id, {source} FROM {table} WHERE {source} IS NOT NULL")).all()
    update = sa.text(f"UPDATE {table} SET {target} = :value WHERE id = :id")
    for row_id, value in rows:
        conn.execute(update, {"value": convert(value), "id": row_id})


def upgrade():
    for table, plain, _type, sealed, nullable in SECRETS:
        op.add_column(table, sa.Column(sealed, sa.Text(), nullable=True))
        copy_values(table, plain, sealed, encrypt)
        with op.batch_alter_table(table) as batch:
            batch.drop_column(plain)
            if not nullable:
                batch.alter_column(sealed, existing_type=sa.Text(), nullable=False)


def downgrade():
    for table, plain, type_, sealed, nullable in SECRETS:
        op.add_column(table, sa.Column(plain, type_, nullable=True))
        copy_values(table, sealed, plain, decrypt)
        with op.batch_alter_table(table) as batch:
            batch.drop_column(sealed)
            if not nullable:
                batch.alter_column(plain, existing_type=type_, nullable=False)

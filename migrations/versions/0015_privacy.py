"""Read trail details, contact consent and erasure, interaction retention (issue 18)

The access log gains the fields shown, the URL and the IP address; contacts gain the date, source and
scope of their consent to e-mail and the time they were erased; interactions the time the retention job
anonymised them; erasures records each erasure (who, when, why, counts; never the erased data).

Revision ID: 0015_privacy
Revises: 0014_two_factor
Create Date: 2026-12-06 05:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_privacy"
down_revision = "0014_two_factor"
branch_labels = None
depends_on = None


def upgrade():
    """Add the trail, consent and retention columns and the erasures table."""
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("fields", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("path", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("ip", sa.String(length=45), nullable=True))
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("consent_source", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("consent_scope", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_erasures_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )
    with op.batch_alter_table("erasures") as batch:
        batch.create_index(batch.f("ix_erasures_by_id"), ["by_id"], unique=False)
        batch.create_index(batch.f("ix_erasures_contact_id"), ["contact_id"], unique=False)


def downgrade():
    """Drop the erasures table and the added columns."""
    with op.batch_alter_table("erasures") as batch:
        batch.drop_index(batch.f("ix_erasures_contact_id"))
        batch.drop_index(batch.f("ix_erasures_by_id"))
    op.drop_table("erasures")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("anonymised_at")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("consent_scope")
        batch.drop_column("consent_source")
        batch.drop_column("consent_at")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("ip")
        batch.drop_column("path")
        batch.drop_column("fields")

"""add the national registry of qualified consultants, filled from the contacts' flag

Issue 15: a consultant (a contact, possibly independent) with specialisms, region, status and the date each
status was reached, qualification evidence, a published flag; and assignments to companies' engagements.
Every contact flagged `qualified_consultant` becomes a qualified consultant whose qualification date is
unknown. The flag stays, as a mirror of "has a qualified registry entry" (the downgrade recomputes it).

Revision ID: 0023_consultants
Revises: 0022_saved_views
Create Date: 2026-12-06 17:45:59.109228

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023_consultants"
down_revision = "0022_saved_views"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consultants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("specialisms", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.Column("candidate_on", sa.Date(), nullable=True),
        sa.Column("qualified_on", sa.Date(), nullable=True),
        sa.Column("suspended_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_consultants_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["documents.id"],
            name=op.f("fk_consultants_evidence_id_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultants")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_consultants_contact_id")),
    )
    with op.batch_alter_table("consultants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultants_evidence_id"), ["evidence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultants_published"), ["published"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultants_qualified_on"), ["qualified_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultants_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultants_status"), ["status"], unique=False)

    op.create_table(
        "consultant_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["consultants.id"],
            name=op.f("fk_consultant_assignments_consultant_id_consultants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_consultant_assignments_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultant_assignments")),
        sa.UniqueConstraint(
            "consultant_id", "engagement_id", name=op.f("uq_consultant_assignments_consultant_id")
        ),
    )
    with op.batch_alter_table("consultant_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultant_assignments_consultant_id"), ["consultant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consultant_assignments_engagement_id"), ["engagement_id"], unique=False
        )

    register_flagged_contacts()


CONTACTS = sa.table(
    "contacts", sa.column("id", sa.Integer()), sa.column("qualified_consultant", sa.Boolean())
)
CONSULTANTS = sa.table(
    "consultants",
    *(sa.column(name, sa.String()) for name in ("specialisms", "status")),
    *(sa.column(name, sa.Integer()) for name in ("contact_id", "version_id")),
    sa.column("published", sa.Boolean()),
    *(sa.column(name, sa.DateTime(timezone=True)) for name in ("created_at", "updated_at")),
)


def register_flagged_contacts():
    """Make every contact flagged as a qualified consultant a qualified registry entry (date unknown)."""
    now = datetime.now(UTC)
    flagged = sa.select(
        CONTACTS.c.id,
        sa.literal(""),
        sa.literal("qualified"),
        sa.literal(1),
        sa.false(),
        sa.literal(now, sa.DateTime(timezone=True)),
        sa.literal(now, sa.DateTime(timezone=True)),
    ).where(CONTACTS.c.qualified_consultant.is_(True))
    columns = ["contact_id", "specialisms", "status", "version_id", "published", "created_at", "updated_at"]
    op.execute(CONSULTANTS.insert().from_select(columns, flagged))


def restore_flags():
    """Set the contacts' flag back from the registry: flagged when the entry is qualified."""
    qualified = sa.select(sa.literal(1)).where(
        CONSULTANTS.c.contact_id == CONTACTS.c.id, CONSULTANTS.c.status == "qualified"
    )
    op.execute(CONTACTS.update().values(qualified_consultant=qualified.exists()))


def downgrade():
    restore_flags()

    with op.batch_alter_table("consultant_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultant_assignments_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_consultant_assignments_consultant_id"))

    op.drop_table("consultant_assignments")
    with op.batch_alter_table("consultants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultants_status"))
        batch_op.drop_index(batch_op.f("ix_consultants_region"))
        batch_op.drop_index(batch_op.f("ix_consultants_qualified_on"))
        batch_op.drop_index(batch_op.f("ix_consultants_published"))
        batch_op.drop_index(batch_op.f("ix_consultants_evidence_id"))

    op.drop_table("consultants")

"""add event invitations, registrations and the public registration page

Issue 19: contacts invited to an event (one row each, so nobody is e-mailed twice), people registered
through their personal link or the event's public page, and contacts created by the public waiting for
the team's review.

Revision ID: 0020_event_registration
Revises: 0019_webhooks
Create Date: 2026-12-06 17:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_event_registration'
down_revision = '0019_webhooks'
branch_labels = None
depends_on = None


def stamps():
    """Return the created_at / updated_at columns of a record table."""
    return [sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


# SQLite's batch mode copies a table into a new one, which drops its triggers: those keeping the global
# search's FTS5 tables of migration 0017 current. They are put back (and the index rebuilt) after each copy.
FTS_COLUMNS = {
    "contacts": ("first_name", "last_name", "email", "phone", "position"),
    "events": ("title", "place", "training_module"),
}


def restore_search_triggers():
    """Re-create the FTS5 triggers of the copied tables and rebuild their index (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in FTS_COLUMNS.items():
        fts, cols = f"fts_{table}", ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
        insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def person_table(name, *columns):
    """Create a table of people (event, contact) unique per pair, with its indexes."""
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    *columns,
    *stamps(),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f(f'fk_{name}_event_id_events'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f(f'fk_{name}_contact_id_contacts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    sa.UniqueConstraint('event_id', 'contact_id', name=op.f(f'uq_{name}_event_id'))
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f(f'ix_{name}_contact_id'), ['contact_id'], unique=False)


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_open', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('public_token', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_events_public_token'), ['public_token'])
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_review', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_contacts_needs_review'), ['needs_review'], unique=False)
    person_table('invitations',
                 sa.Column('invited_by_id', sa.Integer(), nullable=True),
                 sa.Column('language', sa.String(length=5), nullable=False),
                 sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'],
                                         name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'))
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_invited_by_id'), ['invited_by_id'], unique=False)
    person_table('registrations',
                 sa.Column('source', sa.String(length=20), nullable=False),
                 sa.Column('organisation_name', sa.String(length=200), nullable=True),
                 sa.Column('position', sa.String(length=120), nullable=True))
    restore_search_triggers()


def downgrade():
    for name in ('registrations', 'invitations'):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{name}_contact_id'))
            batch_op.drop_index(batch_op.f(f'ix_{name}_event_id'))
            if name == 'invitations':
                batch_op.drop_index(batch_op.f('ix_invitations_invited_by_id'))
        op.drop_table(name)
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_needs_review'))
        batch_op.drop_column('needs_review')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_events_public_token'), type_='unique')
        batch_op.drop_column('public_token')
        batch_op.drop_column('registration_open')
    restore_search_triggers()

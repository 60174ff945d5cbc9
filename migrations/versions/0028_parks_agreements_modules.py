"""add training modules, industrial parks' tenants and clean production agreements (APL)

Issue 15: training modules become a reference list (code, names, theme) that events point to; an event's
free-text module stays, and is matched here to a module by its code or name. Industrial parks are
organisations of kind 'park' whose tenant companies are in park_tenants (since, until). Clean production
agreements (APL) have their parties (organisations, each in a role).

Revision ID: 0028_parks_agreements_modules
Revises: 0027_org_name_key
Create Date: 2026-12-06 23:40:00.000000
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_parks_agreements_modules'
down_revision = '0027_org_name_key'
branch_labels = None
depends_on = None

# (code, name_es, name_en, theme): the project's training programme (DOMAIN.md, events and trainings).
MODULES = (
    ('M1', 'Módulo 1 – Eficiencia energética en sistemas térmicos',
     'Module 1 – Energy efficiency in thermal systems', 'recp'),
    ('M2', 'Módulo 2 – Inventario y reducción de COP no intencionales',
     'Module 2 – Inventory and reduction of unintentional POPs', 'chemicals'),
    ('M3', 'Módulo 3 – Sistemas de gestión de la energía (ISO 50001)',
     'Module 3 – Energy management systems (ISO 50001)', 'recp'),
    ('M4', 'Módulo 4 – Medición y verificación de ahorros (IPMVP)',
     'Module 4 – Measurement and verification of savings (IPMVP)', 'recp'),
    ('M5', 'Módulo 5 – Planificación de zonas industriales sostenibles',
     'Module 5 – Planning sustainable industrial zones', 'zis_planning'),
    ('M6', 'Módulo 6 – Parques eco-industriales y simbiosis industrial',
     'Module 6 – Eco-industrial parks and industrial symbiosis', 'zis_planning'),
    ('M7', 'Módulo 7 – Gestión racional de sustancias químicas',
     'Module 7 – Sound chemicals management', 'chemicals'),
    ('M8', 'Módulo 8 – Producción más limpia y uso eficiente de recursos (RECP)',
     'Module 8 – Resource-efficient and cleaner production (RECP)', 'recp'),
)


def stamps():
    """Return the created_at / updated_at columns of a record table."""
    return [sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


def fk(table, column, target, ondelete=None):
    """Return a named foreign key of the naming convention."""
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete=ondelete)


def index(table, *columns):
    """Create the plain indexes of a table, one per column."""
    for column in columns:
        op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)


def create_modules():
    """Create the training modules' table and fill it with the programme's modules."""
    op.create_table('training_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_es', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('theme', sa.String(length=30), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    *stamps(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_modules')),
    sa.UniqueConstraint('code', name=op.f('uq_training_modules_code'))
    )
    index('training_modules', 'theme')
    now = datetime.now(UTC)
    table = sa.table('training_modules', *(sa.column(c) for c in (
        'code', 'name_es', 'name_en', 'theme', 'active', 'created_at', 'updated_at')))
    op.bulk_insert(table, [{'code': code, 'name_es': es, 'name_en': en, 'theme': theme, 'active': True,
                            'created_at': now, 'updated_at': now} for code, es, en, theme in MODULES])


def link_events():
    """Add the events' module and point each event whose free text names a module (code or name) at it."""
    if op.get_bind().dialect.name == 'sqlite':
        # A plain ADD COLUMN with its reference inline: no table copy, so the search triggers stay.
        op.execute('ALTER TABLE events ADD COLUMN training_module_id INTEGER '
                   'CONSTRAINT fk_events_training_module_id_training_modules REFERENCES training_modules (id)')
    else:
        op.add_column('events', sa.Column('training_module_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_events_training_module_id_training_modules'), 'events',
                              'training_modules', ['training_module_id'], ['id'])
    index('events', 'training_module_id')
    events = sa.table('events', sa.column('training_module', sa.String),
                      sa.column('training_module_id', sa.Integer))
    modules = sa.table('training_modules', *(sa.column(c, sa.String) for c in ('code', 'name_es', 'name_en')),
                       sa.column('id', sa.Integer))
    text = sa.func.lower(sa.func.trim(events.c.training_module))
    named = sa.or_(*(sa.func.lower(column) == text for column in (modules.c.code, modules.c.name_es,
                                                                  modules.c.name_en)))
    match = sa.select(sa.func.min(modules.c.id)).where(named).scalar_subquery()
    op.execute(events.update().where(events.c.training_module.is_not(None)).values(training_module_id=match))


def create_park_tenants():
    """Create the link between industrial parks and their tenant companies."""
    op.create_table('park_tenants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    *stamps(),
    fk('park_tenants', 'park_id', 'organisations', 'CASCADE'),
    fk('park_tenants', 'company_id', 'organisations', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_tenants')),
    sa.UniqueConstraint('park_id', 'company_id', name=op.f('uq_park_tenants_park_id'))
    )
    index('park_tenants', 'park_id', 'company_id')


def create_agreements():
    """Create the agreements and their parties."""
    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('commitments', sa.Text(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    *stamps(),
    fk('agreements', 'document_id', 'documents', 'SET NULL'),
    fk('agreements', 'created_by_id', 'users', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements'))
    )
    index('agreements', 'kind', 'signed_on', 'document_id', 'created_by_id')
    op.create_table('agreement_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    *stamps(),
    fk('agreement_parties', 'agreement_id', 'agreements', 'CASCADE'),
    fk('agreement_parties', 'organisation_id', 'organisations', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_parties')),
    sa.UniqueConstraint('agreement_id', 'organisation_id', name=op.f('uq_agreement_parties_agreement_id'))
    )
    index('agreement_parties', 'agreement_id', 'organisation_id')


def upgrade():
    create_modules()
    link_events()
    create_park_tenants()
    create_agreements()


# SQLite's batch mode copies the events table to drop the column, which drops the triggers keeping the
# global search's FTS5 table of migration 0017 current: they are put back and the index rebuilt.
FTS_COLUMNS = ('title', 'place', 'training_module')


def restore_search_triggers():
    """Re-create the events' FTS5 triggers and rebuild their index (SQLite only)."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    fts, cols = 'fts_events', ', '.join(FTS_COLUMNS)
    new, old = ', '.join(f'new.{c}' for c in FTS_COLUMNS), ', '.join(f'old.{c}' for c in FTS_COLUMNS)
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f'INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});'
    op.execute(f'CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON events BEGIN {insert} END')
    op.execute(f'CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON events BEGIN {delete} END')
    op.execute(f'CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE ON events BEGIN {delete} {insert} END')
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade():
    # The links go with their tables. Organisations of kind 'park' keep it (a plain string column).
    op.drop_table('agreement_parties')
    op.drop_table('agreements')
    op.drop_table('park_tenants')
    op.drop_index(op.f('ix_events_training_module_id'), table_name='events')
    with op.batch_alter_table('events', schema=None) as batch_op:
        if op.get_bind().dialect.name != 'sqlite':
            batch_op.drop_constraint(op.f('fk_events_training_module_id_training_modules'), type_='foreignkey')
        batch_op.drop_column('training_module_id')
    restore_search_triggers()
    op.drop_table('training_modules')

"""history grouped per save, global search indexes and sort indexes (issue 13)

change_log.save_id groups the changes of one save. Global search: on PostgreSQL trigram indexes (pg_trgm,
as migration 0007) on the folded text of interactions, letters and events; on SQLite FTS5 tables kept
current by triggers. Both are left out of the model comparison (names ending in _trgm or starting with
fts_: migrations/env.py and tests/test_migrations.py).

Revision ID: 0017_search_views
Revises: 0016_mail_capture
Create Date: 2026-12-06 05:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_search_views'
down_revision = '0016_mail_capture'
branch_labels = None
depends_on = None


# PostgreSQL: the folded text of a row, as crm.text.fold computes it for Spanish (lower case, no accents);
# IMMUTABLE so that indexes may use it. crm/search/services.py calls it with the same columns.
FOLD_SQL = """
CREATE OR REPLACE FUNCTION crm_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(lower(value), 'áàäâãéèëêíìïîóòöôõúùüûñçÁÀÄÂÃÉÈËÊÍÌÏÎÓÒÖÔÕÚÙÜÛÑÇ',
                   'aaaaaeeeeiiiiooooouuuuncaaaaaeeeeiiiiooooouuuunc')
$$;
CREATE OR REPLACE FUNCTION crm_fold3(a text, b text, c text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT crm_fold(coalesce(a, '') || ' ' || coalesce(b, '') || ' ' || coalesce(c, ''))
$$;
"""
TRGM_INDEXES = {
    "ix_interactions_text_trgm": "interactions USING gin (crm_fold3(summary, outcome, next_step) gin_trgm_ops)",
    "ix_events_text_trgm": "events USING gin (crm_fold3(title, place, training_module) gin_trgm_ops)",
    "ix_contacts_phone_trgm": "contacts USING gin (phone gin_trgm_ops)",
}
# SQLite: FTS5 tables (accent- and case-blind words) over these columns, kept current by triggers.
FTS_TABLES = {
    "organisations": ("legal_name", "trade_name", "ruc"),
    "contacts": ("first_name", "last_name", "email", "phone", "position"),
    "interactions": ("summary", "outcome", "next_step"),
    "events": ("title", "place", "training_module"),
}


def has_trigrams(bind) -> bool:
    """Return whether pg_trgm is installed (migration 0007 creates it when the role may)."""
    return bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first() is not None


def fts_sql(table: str, columns: tuple[str, ...]) -> list[str]:
    """Return the statements creating one FTS5 table, filling it and keeping it current."""
    fts, cols = f"fts_{table}", ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({cols}, content='{table}', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END",
    ]


def upgrade():
    """Add the save id to the change history and the global search indexes."""
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('save_id', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_change_log_save_id'), ['save_id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(FOLD_SQL)
        if has_trigrams(bind):
            for name, target in TRGM_INDEXES.items():
                op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
    elif bind.dialect.name == "sqlite":
        for table, columns in FTS_TABLES.items():
            for statement in fts_sql(table, columns):
                op.execute(statement)


def downgrade():
    """Remove the search indexes and the save id."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name in TRGM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("DROP FUNCTION IF EXISTS crm_fold3(text, text, text)")
        op.execute("DROP FUNCTION IF EXISTS crm_fold(text)")
    elif bind.dialect.name == "sqlite":
        for table in FTS_TABLES:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS fts_{table}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS fts_{table}")
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_save_id'))
        batch_op.drop_column('save_id')

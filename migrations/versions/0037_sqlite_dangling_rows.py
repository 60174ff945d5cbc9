"""on SQLite, remove or detach the rows that still point at deleted organisations (and other deleted rows)

SQLite enforced no foreign key until now (PRAGMA foreign_keys is off unless each connection turns it on),
so deleting an organisation there left its letters, engagements, company days and other dependent rows
behind, which the period reports still counted. The app now turns the pragma on for every connection;
this migration settles what earlier deletions left, as PostgreSQL's ON DELETE clauses would have: rows
of a CASCADE key are deleted, SET NULL keys are emptied. A dangling key with neither clause (which
PostgreSQL would have refused) is left alone and logged. Nothing to do on PostgreSQL.

Revision ID: 0037_sqlite_dangling_rows
Revises: 0036_cofinance_lines
Create Date: 2026-12-07 17:05:00.000000
"""
import logging

from alembic import op

# revision identifiers, used by Alembic.
revision = '0037_sqlite_dangling_rows'
down_revision = '0036_cofinance_lines'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # Foreign keys are off while migrating (env.py), so a delete does not cascade: repeat until the
    # children of deleted children are settled too.
    while settle_pass(bind):
        pass


def settle_pass(bind):
    """Settle every dangling row SQLite reports once; return how many were deleted or detached."""
    settled = 0
    for table, rowid, _parent, key_id in bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
        action, column = key_action(bind, table, key_id)
        if rowid is None or action not in ("CASCADE", "SET NULL"):
            log.warning("%s row %s points at a missing %s row; left as it is", table, rowid, _parent)
            continue
        # The table and column names come from SQLite's own catalogue, not from any input.
        if action == "CASCADE":
            bind.exec_driver_sql(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))  # noqa: S608
        else:
            bind.exec_driver_sql(f'UPDATE "{table}" SET "{column}" = NULL WHERE rowid = ?', (rowid,))  # noqa: S608
        settled += 1
    if settled:
        log.info("settled %d rows whose foreign key pointed at a deleted row", settled)
    return settled


def key_action(bind, table, key_id):
    """Return a foreign key's ON DELETE action and its (single) column."""
    for row in bind.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').fetchall():
        if row[0] == key_id:
            return row[6], row[3]
    return None, None


def downgrade():
    # The rows removed pointed at rows that no longer existed: there is nothing meaningful to put back,
    # and the schema is unchanged. Going down leaves the data as it is.
    pass

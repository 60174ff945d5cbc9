"""SQL both databases speak the same way, written once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from crm.extensions import db


def insert_ignoring(table: Table, unique: list[str], rows: list[dict], returning: Any) -> list[Any]:
    """INSERT ... ON CONFLICT (unique) DO NOTHING; return the `returning` column of the rows inserted.

    Counted from RETURNING: the driver's rowcount of a multi-row insert is -1 on PostgreSQL.
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=unique).returning(returning)
    return list(db.session.scalars(statement, rows))

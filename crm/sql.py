"""SQL both databases speak the same way, written once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from crm.extensions import db


def insert_ignoring(table: Table, unique: list[str], rows: list[dict], returning: Any) -> list[Any]:
    """INSERT ... ON CONFLICT (unique) DO NOTHING; return the `returning` column of the rows inserted.

    Counted from RETURNING: the driver's rowcount of a multi-row insert is -1 on PostgreSQL.
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=unique).returning(returning)
    return list(db.session.scalars(statement, rows))


class days_between(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """Whole days from the second date to the first (later - earlier), as an integer."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element: Any, compiler: Any, **kw: Any) -> str:
    """PostgreSQL: subtracting two dates gives an integer number of days."""
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    """SQLite: dates are ISO text; julianday() of two dates differs by an exact whole number."""
    later, earlier = list(element.clauses)
    later_sql, earlier_sql = compiler.process(later, **kw), compiler.process(earlier, **kw)
    return f"CAST(julianday({later_sql}) - julianday({earlier_sql}) AS INTEGER)"

"""Bulk writing for the bench generator: COPY on PostgreSQL, Core executemany in batches elsewhere."""

from __future__ import annotations

from typing import Any

BATCH = 10_000


class Sink:
    """Buffer the rows of one table and write them in batches (all rows share the first row's keys)."""

    def __init__(self, conn: Any, table: Any) -> None:
        self.conn, self.table = conn, table
        self.rows: list[dict] = []
        self.written = 0
        self.columns: list[str] | None = None

    def add(self, row: dict) -> None:
        """Queue one row."""
        self.rows.append(row)

    def flush(self) -> None:
        """Write the queued rows."""
        if not self.rows:
            return
        self.columns = self.columns or list(self.rows[0])
        if self.conn.dialect.name == "postgresql":
            self.copy()
        else:
            for start in range(0, len(self.rows), BATCH):
                self.conn.execute(self.table.insert(), self.rows[start : start + BATCH])
        self.written += len(self.rows)
        self.rows = []

    def copy(self) -> None:
        """Stream the rows through COPY ... FROM STDIN on the connection's psycopg cursor."""
        columns = self.columns or []
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.conn.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{self.table.name}" ({names}) FROM STDIN') as copy:
            for row in self.rows:
                copy.write_row([row[c] for c in columns])


class Sinks:
    """One sink per table, flushed in the order given (parents before children)."""

    def __init__(self, conn: Any, tables: Any, order: tuple[str, ...]) -> None:
        self.by_name = {name: Sink(conn, tables[name]) for name in order}

    def __getitem__(self, name: str) -> Sink:
        return self.by_name[name]

    def flush(self) -> None:
        """Write every queued row, table by table in dependency order."""
        for sink in self.by_name.values():
            sink.flush()

    def counts(self) -> dict[str, int]:
        """Return the rows written per table."""
        return {name: sink.written for name, sink in self.by_name.items()}


def fast_load(conn: Any) -> None:
    """As a PostgreSQL superuser, skip foreign-key triggers in this transaction (the rows are consistent)."""
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        return
    if conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("SET LOCAL synchronous_commit = off"))


def finish(conn: Any, tables: list[str]) -> None:
    """Move the PostgreSQL sequences past the ids assigned here."""
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        return
    for name in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"GREATEST((SELECT MAX(id) FROM {name}), 1))"
            )
        )


def analyze(conn: Any) -> None:
    """Give the planner the loaded tables' statistics inside the load's transaction (before the rebuilds)."""
    from sqlalchemy import text

    conn.execute(text("ANALYZE"))  # without it the rebuild's joins are planned for empty tables


def vacuum_analyze(engine: Any) -> None:
    """Refresh planner statistics (and, on PostgreSQL, the visibility map) after the load."""
    from sqlalchemy import text

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))

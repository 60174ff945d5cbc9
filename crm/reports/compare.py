"""A frozen table beside today's: each frozen figure with the live one where they differ.

Rows are matched on their leading text and date cells (the stage, the sector, the co-financier and
its types, the day and group…); a table without such cells (the funnel's headline) is matched row by
row. A row only today's records have is added at the end, marked as new since the freeze. Only figures
(numbers and dates) are compared: text such as an interval follows from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from crm.reports.frozen import FrozenFigures, build_all, decode, encode
from crm.reports.tables import Column, Report, Table

KEY_KINDS = ("text", "date")
# Tables that describe the day of the freeze rather than the period (how long a stage has lasted "now"):
# kept as they were, never compared with today's.
AS_OF_FREEZE = {("timing", "stalled")}
MISSING = object()  # no live row, or no live total, to compare with


@dataclass
class Cell:
    """A frozen value, and the live one when it differs (shown beside it)."""

    value: Any
    live: Any = MISSING

    @property
    def changed(self) -> bool:
        """Return whether the live value differs from the frozen one."""
        return self.live is not MISSING


@dataclass
class Row:
    """A row of cells; `added` when only today's records have it."""

    cells: list[Cell]
    added: bool = False


@dataclass
class Compared:
    """A frozen table with its live values, ready for the page."""

    key: str
    title: str
    note: str | None
    columns: list[Column]
    rows: list[Row]
    total: Row | None
    compared: bool = True  # False: shown as frozen only (no live twin, or a table of the freeze's day)


def key_width(columns: list[Column]) -> int:
    """Return how many leading columns name a row (text or date columns)."""
    width = 0
    while width < len(columns) and columns[width].kind in KEY_KINDS:
        width += 1
    return width


def keyed(rows: list[list[Any]], width: int) -> dict[tuple, list[Any]]:
    """Return the rows by key (their leading cells, or their place); repeated keys get a count."""
    found: dict[tuple, list[Any]] = {}
    for index, row in enumerate(rows):
        base = tuple(str(encode(v)) for v in row[:width]) if width else (index,)
        key, seen = base, 1
        while key in found:
            key, seen = (*base, seen), seen + 1
        found[key] = row
    return found


def same(frozen: Any, live: Any) -> bool:
    """Return whether two cells hold the same figure (12 and 12.00 are the same)."""
    if isinstance(frozen, int | Decimal) and isinstance(live, int | Decimal):
        return Decimal(frozen) == Decimal(live)
    if isinstance(frozen, date) or isinstance(live, date):
        return frozen == live
    return (frozen in (None, "")) == (live in (None, "")) and (frozen in (None, "") or frozen == live)


def compared_row(frozen: list[Any], live: list[Any] | None, columns: list[Column], width: int) -> Row:
    """Return a frozen row with the live figures that differ beside it."""
    cells = []
    for index, value in enumerate(frozen):
        cell = Cell(value)
        kind = columns[index].kind if index < len(columns) else "text"
        if index >= width and kind != "text":
            now = live[index] if live is not None and index < len(live) else None
            now = decode(encode(now), kind)
            if not same(value, now):
                cell.live = now
        cells.append(cell)
    return Row(cells)


def added_row(live: list[Any], columns: list[Column], width: int) -> Row:
    """Return a row only today's records have: its key, and every figure as live only."""
    cells = [
        Cell(v) if i < width else Cell(None, decode(encode(v), columns[i].kind)) for i, v in enumerate(live)
    ]
    for cell, column in zip(cells[width:], columns[width:], strict=False):
        if column.kind == "text" or same(None, cell.live):
            cell.value, cell.live = cell.live, MISSING
    return Row(cells, added=True)


def compare(frozen: Table, live: Table | None) -> Compared:
    """Return a frozen table beside the live one (figures that changed, rows new since)."""
    if live is None:  # nothing to compare with (a report or table that no longer exists)
        plain = [Row([Cell(v) for v in row]) for row in frozen.rows]
        total = Row([Cell(v) for v in frozen.total]) if frozen.total else None
        return Compared(frozen.key, frozen.title, frozen.note, frozen.columns, plain, total, compared=False)
    width = key_width(frozen.columns)
    now = keyed(live.rows, width)
    frozen_rows = keyed(frozen.rows, width).items()
    rows = [compared_row(row, now.pop(key, None), frozen.columns, width) for key, row in frozen_rows]
    rows += [added_row(r, frozen.columns, width) for r in now.values()]
    total = compared_row(frozen.total, live.total, frozen.columns, 1) if frozen.total else None
    return Compared(frozen.key, frozen.title, frozen.note, frozen.columns, rows, total)


@dataclass
class ComparedReport:
    """A frozen report's tables, each beside today's."""

    key: str
    title: str
    tables: list[Compared]


def beside_live(figures: FrozenFigures, locale: str, today: date) -> list[ComparedReport]:
    """Return every frozen report of a period beside the same report built from today's records."""
    frozen = figures.tables(locale)
    if not frozen:
        return []
    live = {report.key: report for report in build_all(figures.filters, today, locale)}
    return [compared_report(report, live.get(report.key)) for report in frozen]


def compared_report(frozen: Report, live: Report | None) -> ComparedReport:
    """Return one frozen report beside its live twin (tables matched by key)."""
    tables = [
        compare(
            table, live.table(table.key) if live and (frozen.key, table.key) not in AS_OF_FREEZE else None
        )
        for table in frozen.tables
    ]
    return ComparedReport(frozen.key, frozen.title, tables)

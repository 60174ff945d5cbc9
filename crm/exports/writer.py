"""CSV and XLSX export of every list and report: the one place cells are written.

Every cell passes through `plain`: control characters a worksheet cannot hold are removed (whatever
was stored, even before imports cleaned them) and text a spreadsheet would run is neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import zip_longest
from typing import Any

from crm.text import strip_controls

# A spreadsheet treats text starting with these as a formula (tab and CR can hide one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31  # Excel's limit on sheet names


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe; leave numbers alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def plain(value: Any) -> Any:
    """Return a value a CSV or XLSX cell can hold: numbers and dates stay raw, the rest is clean text."""
    if value is None or isinstance(value, int | float | Decimal | date | datetime):
        return value
    return neutralise(strip_controls(str(value)))


def to_csv(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """Return the table as CSV text (UTF-8 with a BOM is added by the caller if wanted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([plain(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else csv_value(v) for v in (plain(c) for c in row)])
    return buffer.getvalue()


def csv_value(value: Any) -> Any:
    """Write dates as ISO text and decimals without exponent notation."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def sheet_title(title: str) -> str:
    """Return a sheet name Excel accepts (no []:*?/\\, at most 31 characters)."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in strip_controls(str(title))).strip()
    return (cleaned or "Sheet")[:SHEET_TITLE_MAX]


WIDTH_MIN, WIDTH_MAX = 8, 60  # column widths in characters: readable, never a screen wide


def to_xlsx(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    title: str = "Report",
    about: tuple[str, Sequence[tuple[Any, Any]]] | None = None,
) -> bytes:
    """Return the table as an XLSX workbook: raw numbers and dates, text never read as a formula.

    Columns are as wide as their values (capped), the heading row stays frozen with filters on it, and
    `about` (a sheet name and label/value pairs: the full title, the filters, the date) goes on a second
    sheet, so that the first row stays the headings a pivot table or Power BI reads.
    """
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(title)
    write_table(sheet, headers, rows)
    if about:
        add_about(book, *about)
    return saved(book)


def to_workbook(
    tables: Sequence[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]],
    about: tuple[str, Sequence[tuple[Any, Any]]] | None = None,
) -> bytes:
    """Return several tables (sheet name, headings, rows) as one workbook, one sheet each, then About."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for title, headers, rows in tables:
        write_table(book.create_sheet(unique_title(title, taken)), headers, rows)
    if about:
        add_about(book, *about)
    return saved(book)


def unique_title(title: str, taken: set[str]) -> str:
    """Return a sheet name not used yet in the workbook (a number added when two would clash)."""
    name, number = sheet_title(title), 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = sheet_title(title)[: SHEET_TITLE_MAX - len(suffix)].rstrip() + suffix, number + 1
    taken.add(name.lower())
    return name


def write_table(sheet: Any, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """Write bold headings and raw rows on a sheet, then size its columns and freeze the headings."""
    from openpyxl.styles import Font

    widths = [len(str(h)) for h in headers]
    sheet.append([plain(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = [plain(v) for v in row]
        widths = [max(w or 0, len("" if v is None else str(v))) for w, v in zip_longest(widths, values)]
        sheet.append(values)
    force_text(sheet)
    fit(sheet, widths)


def saved(book: Any) -> bytes:
    """Return a workbook as the bytes of an XLSX file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def fit(sheet: Any, widths: list[int]) -> None:
    """Size the columns to their values, freeze the heading row and put filters on it."""
    from openpyxl.utils import get_column_letter

    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = min(max(width + 2, WIDTH_MIN), WIDTH_MAX)
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions


def add_about(book: Any, name: str, pairs: Sequence[tuple[Any, Any]]) -> None:
    """Add the sheet that says what the table is: title, filters, date (label in bold, then value)."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(sheet_title(name))
    for label, value in pairs:
        sheet.append([plain(label), plain(value)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    force_text(sheet)
    fit(sheet, [max((len(str(p[i])) for p in pairs), default=0) for i in (0, 1)])
    sheet.freeze_panes = None


def force_text(sheet: Any) -> None:
    """Store every text cell as a string (openpyxl would store text starting with = as a formula)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"

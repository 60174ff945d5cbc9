"""CSV and XLSX export of every list and report: the one place cells are written.

Every cell passes through `plain`: control characters a worksheet cannot hold are removed (whatever
was stored, even before imports cleaned them) and text a spreadsheet would run is neutralised.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice, zip_longest
from typing import IO, Any

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
WIDTH_SAMPLE = 500  # rows read before any is written: the columns are sized on them (the file is streamed)
SPOOL_BYTES = 4 * 1024 * 1024  # a workbook larger than this goes to a temporary file, not memory

Table = tuple[str, Sequence[Any], Iterable[Sequence[Any]]]  # sheet name, headings, rows
About = tuple[str, Sequence[tuple[Any, Any]]]  # sheet name, label/value pairs


def to_xlsx(headers: Sequence[Any], rows: Iterable[Sequence[Any]], title: str = "Report",
            about: About | None = None) -> bytes:  # fmt: skip
    """Return the table as the bytes of an XLSX workbook (see xlsx_file; for small tables and tests)."""
    with xlsx_file(headers, rows, title, about) as out:
        return out.read()


def xlsx_file(headers: Sequence[Any], rows: Iterable[Sequence[Any]], title: str = "Report",
              about: About | None = None) -> IO[bytes]:  # fmt: skip
    """Return the table as an XLSX workbook in a temporary file, read from its start.

    Raw numbers and dates, text never read as a formula. Columns are as wide as their values (capped),
    the heading row stays frozen with filters on it, and `about` (a sheet name and label/value pairs: the
    full title, the filters, the date) goes on a second sheet, so that the first row stays the headings a
    pivot table or Power BI reads.
    """
    return workbook_file([(sheet_title(title), headers, rows)], about)


def to_workbook(tables: Sequence[Table], about: About | None = None) -> bytes:
    """Return several tables (sheet name, headings, rows) as the bytes of one workbook."""
    with workbook_file(tables, about) as out:
        return out.read()


def workbook_file(tables: Sequence[Table], about: About | None = None) -> IO[bytes]:
    """Write several tables as one workbook, a sheet each, then About; return the file at its start.

    openpyxl's write-only mode turns each row into XML as it comes (no cell objects are kept), so a
    table of any length costs the memory of one row; the sheets wait in temporary files until the
    workbook is zipped into a spooled file (memory while small, disk beyond SPOOL_BYTES).
    """
    from openpyxl import Workbook

    book, taken = Workbook(write_only=True), set()
    for title, headers, rows in tables:
        write_table(book.create_sheet(unique_title(title, taken)), headers, rows)
    if about:
        add_about(book, *about)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller sends it, then closes it)
    book.save(out)
    out.seek(0)
    return out


def unique_title(title: str, taken: set[str]) -> str:
    """Return a sheet name not used yet in the workbook (a number added when two would clash)."""
    name, number = sheet_title(title), 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = sheet_title(title)[: SHEET_TITLE_MAX - len(suffix)].rstrip() + suffix, number + 1
    taken.add(name.lower())
    return name


def write_table(sheet: Any, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """Write bold headings and raw rows on a write-only sheet: sized columns, frozen headings, filters.

    A streamed sheet states its column widths before its first row, so they are measured on the first
    WIDTH_SAMPLE rows; later rows are written as they come.
    """
    rows = iter(rows)
    first = [[plain(v) for v in row] for row in islice(rows, WIDTH_SAMPLE)]
    widths = measured([plain(h) for h in headers], first)
    size_columns(sheet, widths)
    sheet.freeze_panes = "A2"
    sheet.append(bold_cells(sheet, headers))
    count = len(first)
    for values in first:
        sheet.append(values)
    for row in rows:
        sheet.append([plain(v) for v in row])
        count += 1
    if count:
        sheet.auto_filter.ref = f"A1:{column_letter(len(widths))}{count + 1}"


def measured(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> list[int]:
    """Return the widest text of each column (headings included), in characters."""
    widths = [len(str(h)) for h in headers]
    for values in rows:
        widths = [max(w or 0, len("" if v is None else str(v))) for w, v in zip_longest(widths, values)]
    return widths


def column_letter(number: int) -> str:
    """Return a column's letters (1 → A)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(max(number, 1))


def size_columns(sheet: Any, widths: list[int]) -> None:
    """Set each column's width from its widest value, within WIDTH_MIN and WIDTH_MAX."""
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[column_letter(number)].width = min(max(width + 2, WIDTH_MIN), WIDTH_MAX)


def bold_cells(sheet: Any, values: Sequence[Any]) -> list[Any]:
    """Return the values as bold text cells of a write-only sheet (stored as strings, never formulas)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, plain(value))
        cell.font = Font(bold=True)
        cells.append(text_cell(cell))
    return cells


def text_cell(cell: Any) -> Any:
    """Store a text cell as a string (openpyxl would store text starting with = as a formula)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def add_about(book: Any, name: str, pairs: Sequence[tuple[Any, Any]]) -> None:
    """Add the sheet that says what the table is: title, filters, date (label in bold, then value)."""
    from openpyxl.cell import WriteOnlyCell

    sheet = book.create_sheet(sheet_title(name))
    size_columns(sheet, [max((len(str(p[i])) for p in pairs), default=0) for i in (0, 1)])
    for label, value in pairs:
        sheet.append([bold_cells(sheet, [label])[0], text_cell(WriteOnlyCell(sheet, plain(value)))])

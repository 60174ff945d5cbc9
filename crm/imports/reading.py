"""Reading uploaded tables: CSV in UTF-8, UTF-8 with BOM, Windows-1252 or UTF-16, and XLSX.

Spreadsheets made on Spanish-locale Windows are saved as Windows-1252 with semicolons; newer
ones as UTF-8 with a BOM; some files mix both (lines pasted from elsewhere), so every line is
decoded on its own: UTF-8 when it is valid UTF-8, else Windows-1252. Row numbers are those a
spreadsheet shows (the header is usually row 1), blank rows included, so errors point at the cell.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from crm.imports.xlsx_guard import UnsafeWorkbookError, check_workbook
from crm.text import CONTROL_CHARACTERS, strip_controls

BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
SNIFF_BYTES = 64 * 1024
# Our own exports prefix formula-like text with an apostrophe; a re-uploaded file gets it removed.
NEUTRALISED = ("'=", "'+", "'-", "'@")


class NumberText(str):
    """A number cell of a workbook written as plain digits with a decimal point (never ambiguous)."""

    __slots__ = ()


class ImportFileError(ValueError):
    """The file cannot be read as a table; the message is for the user."""


@dataclass
class FileInfo:
    """What a first pass over the file found."""

    format: str  # "csv" or "xlsx"
    encoding: str | None  # utf-8, utf-8-sig, cp1252, mixed, utf-16
    delimiter: str | None
    headers: list[str]
    rows: int  # data rows (blank rows not counted)


def head_bytes(path: Path) -> bytes:
    """Return the first bytes of the file."""
    with open(path, "rb") as handle:
        return handle.read(SNIFF_BYTES)


def file_format(head: bytes) -> str:
    """Tell an XLSX (a zip) from text, and refuse other binaries."""
    if not head.strip():
        raise ImportFileError(_("The file is empty."))
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(UTF16_BOMS):
        return "csv"
    if b"\x00" in head:
        raise looks_binary()
    return "csv"


def looks_binary() -> ImportFileError:
    """Return the refusal for a binary file that is not a workbook."""
    return ImportFileError(_("This file is not a CSV or XLSX table (it looks like a binary file)."))


def not_text() -> ImportFileError:
    """Return the refusal for a file with a NUL byte (no database or worksheet can hold one)."""
    return ImportFileError(
        _("This file is not a text file: it holds NUL bytes. Save the table again as CSV or XLSX.")
    )


# --- CSV ------------------------------------------------------------------------------------------------


def decode_line(raw: bytes, seen: set[str]) -> str:
    """Decode one line as UTF-8, falling back to Windows-1252; note which was used."""
    try:
        text = raw.decode("utf-8")
        if not raw.isascii():
            seen.add("utf-8")
        return text
    except UnicodeDecodeError:
        seen.add("cp1252")
        return raw.decode("cp1252", errors="replace")


def text_lines(path: Path, seen: set[str]) -> Iterator[str]:
    """Yield the decoded lines of a text file, line by line (large files are never held whole)."""
    head = head_bytes(path)
    if head.startswith(UTF16_BOMS):
        seen.add("utf-16")
        with open(path, encoding="utf-16", newline="") as handle:
            for line in handle:
                if "\x00" in line:
                    raise not_text()
                yield line
        return
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle):
            if b"\x00" in raw:  # anywhere in the file, not only in the sniffed head
                raise not_text()
            if number == 0 and raw.startswith(BOM):
                seen.add("utf-8-sig")
                raw = raw[len(BOM) :]
            yield decode_line(raw, seen)


def count_outside_quotes(line: str, char: str) -> int:
    """Count a delimiter in a line, ignoring quoted text."""
    quoted, total = False, 0
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            total += 1
    return total


def sniff_delimiter(path: Path) -> str:
    """Pick the delimiter (comma, semicolon or tab) used most in the first non-blank line."""
    for line in text_lines(path, set()):
        if line.strip():
            counts = {d: count_outside_quotes(line, d) for d in DELIMITERS}
            best = max(DELIMITERS, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def csv_records(path: Path, seen: set[str]) -> Iterator[list[str]]:
    """Yield the records of a CSV file, whatever its delimiter."""
    reader = csv.reader(text_lines(path, seen), delimiter=sniff_delimiter(path))
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)s of the file cannot be read as CSV.", line=reader.line_num)
        ) from exc


# --- XLSX -----------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """Turn an XLSX cell value into the text a CSV would hold (dates as ISO, no float noise)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return NumberText(int(value) if value.is_integer() and abs(value) < 1e15 else repr(value))
    if isinstance(value, int):
        return NumberText(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def xlsx_records(path: Path) -> Iterator[list[str]]:
    """Yield the rows of the first sheet of a workbook, read in streaming mode."""
    from openpyxl import load_workbook

    try:
        check_workbook(path)
    except UnsafeWorkbookError as exc:
        raise ImportFileError(str(exc)) from None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign zip
        raise ImportFileError(_("This file is not an XLSX workbook we can read.")) from exc
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [cell_text(v) for v in values]
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(_("This file is not an XLSX workbook we can read.")) from exc
    finally:
        book.close()


# --- rows -----------------------------------------------------------------------------------------------


def clean_cell(value: str) -> str:
    """Drop control characters, trim, and drop the apostrophe our exports put before formula-like text."""
    if isinstance(value, NumberText):
        return value
    value = strip_controls(value).strip().lstrip("\ufeff")
    return value[1:] if value.startswith(NEUTRALISED) else value


def records(path: Path, seen: set[str] | None = None) -> Iterator[list[str]]:
    """Yield every record of the file (CSV or XLSX) as cleaned text cells."""
    seen = set() if seen is None else seen
    kind = file_format(head_bytes(path))
    source = xlsx_records(path) if kind == "xlsx" else binary_header_refused(csv_records(path, seen))
    for record in source:
        yield [clean_cell(c) for c in record]


def binary_header_refused(source: Iterator[list[str]]) -> Iterator[list[str]]:
    """Refuse a text file whose first non-blank line holds control characters: binary junk, not a header."""
    header_seen = False
    for record in source:
        if not header_seen and any(cell.strip() for cell in record):
            header_seen = True
            if any(CONTROL_CHARACTERS.search(cell) for cell in record):
                raise looks_binary()
        yield record


def numbered(path: Path, seen: set[str] | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells) of the non-blank records, the header first."""
    for number, record in enumerate(records(path, seen), start=1):
        if any(record):
            yield number, record


def trim_headers(cells: list[str]) -> list[str]:
    """Drop empty trailing header cells (Excel leaves ;;; at the end)."""
    while cells and not cells[-1]:
        cells.pop()
    return cells


def data_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells) of the data rows, the header row skipped."""
    rows = numbered(path)
    next(rows, None)
    yield from rows


def headers_of(path: Path) -> list[str]:
    """Return the header row of the file."""
    first = next(numbered(path), None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    return trim_headers(first[1])


def encoding_label(seen: set[str]) -> str:
    """Summarise the encodings met while reading."""
    if "utf-16" in seen:
        return "utf-16"
    if "cp1252" in seen:
        return "mixed" if "utf-8" in seen else "cp1252"
    return "utf-8-sig" if "utf-8-sig" in seen else "utf-8"


def inspect_file(path: Path, max_rows: int) -> FileInfo:
    """Read the whole file once: refuse empty, header-only, binary and oversized tables."""
    kind = file_format(head_bytes(path))
    seen: set[str] = set()
    rows = numbered(path, seen)
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    headers = trim_headers(first[1])
    if not headers:
        raise ImportFileError(_("The first row of the file should hold the column names."))
    count = 0
    for _row in rows:
        count += 1
        if count > max_rows:
            message = _("The file has more than %(max)s rows; split it into smaller files.", max=max_rows)
            raise ImportFileError(message)
    if count == 0:
        raise ImportFileError(_("The file has a header row but no data rows."))
    delimiter = sniff_delimiter(path) if kind == "csv" else None
    return FileInfo(kind, encoding_label(seen) if kind == "csv" else None, delimiter, headers, count)


def sample(path: Path, size: int = 3) -> list[list[str]]:
    """Return the first few data rows, shown on the mapping page."""
    rows = []
    for _number, cells in data_rows(path):
        rows.append(cells)
        if len(rows) >= size:
            break
    return rows

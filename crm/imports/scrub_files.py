"""Ley 29733 erasure of import files: a batch's stored CSV or XLSX is rewritten without the person.

Rewritten, not deleted: the batch page, the errors download and, for a batch not yet run, the mapping, the
preview and the import itself read the stored file (undo reads only the change history). The rewritten file
keeps its header, every row at its number (the user's choices are kept per row number) and every other
person's cells, so all of these keep working. Per row:

- a row is the person's when its person columns in the batch's mapping (name, e-mail, phone, position,
  gender) hold a trace, or both of their name parts as whole cells: those cells are emptied, so an import
  not yet run cannot bring the person back (the row then has no contact: an error, or a company alone);
- in a row that names the person, a cell of an unmapped column that is exactly one of their name parts is
  emptied too;
- anywhere else a trace inside a cell is replaced by the erased label, as in the database.

The new file is written next to the old one before the erasure commits (a full disk refuses the erasure)
and takes its place only once it commits (crm.documents.replace_after_commit); a rollback drops it. A CSV
is written back in UTF-8 with a BOM and its own delimiter, which the reader takes like any other encoding;
a workbook is saved by openpyxl with the values of every sheet (formulas as their last results, which is
what an import reads), its cell comments, links and document properties scrubbed.

Only a file that can no longer be read as a table (it was read at upload, so it was damaged since) cannot
be rewritten safely: it is deleted once the erasure commits when its bytes hold a trace or it is a workbook
(whose compressed parts cannot be searched), and the batch page says why the file is gone.
"""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm.imports.reading import (
    ZIP_MAGIC,
    ImportFileError,
    cell_text,
    csv_records,
    file_format,
    head_bytes,
    sniff_delimiter,
)
from crm.imports.xlsx_guard import UnsafeWorkbookError, check_workbook
from crm.privacy.erasure import Traces
from crm.text import fold

PERSON_FIELDS = frozenset(
    {"first_name", "last_name", "full_name", "position", "email", "phone", "gender"}
    | {f"contact_{name}" for name in ("name", "first_name", "last_name", "position", "email", "phone")}
    | {"contact_gender"}
)
PROPERTIES = ("creator", "lastModifiedBy", "title", "subject", "description", "keywords", "category")
REWRITTEN, REMOVED = "rewritten", "removed"


@dataclass(frozen=True)
class Columns:
    """Which columns of a batch's file are a person's, and which feed the import at all."""

    person: frozenset[int] = frozenset()
    mapped: frozenset[int] = frozenset()


def columns_of(mapping: dict[str, Any] | None) -> Columns:
    """Return the columns of a batch's mapping (field -> column number)."""
    chosen = {k: v for k, v in (mapping or {}).items() if isinstance(v, int) and not isinstance(v, bool)}
    person = frozenset(v for k, v in chosen.items() if k in PERSON_FIELDS)
    return Columns(person, frozenset(chosen.values()))


def is_hers(cells: list[str], traces: Traces, person: frozenset[int]) -> bool:
    """Return whether a row's person columns describe the erased person."""
    own = [cells[i] for i in sorted(person) if i < len(cells)]
    return traces.found_in(" ".join(own)) or names_both(own, traces)


def names_both(cells: list[str], traces: Traces) -> bool:
    """Return whether the cells hold both of the person's name parts, each as a whole cell."""
    return len(traces.parts) == 2 and set(traces.parts) <= {fold(cell) for cell in cells}


def scrub_cells(cells: list[str], traces: Traces, columns: Columns) -> list[str]:
    """Return a row's cells without the person (the module's rules)."""
    hers = is_hers(cells, traces, columns.person)
    named = hers or traces.found_in(" ".join(cells)) or names_both(cells, traces)
    emptied = set(columns.person) if hers else set()
    if named:
        emptied |= {i for i, c in enumerate(cells) if i not in columns.mapped and fold(c) in traces.parts}
    return ["" if i in emptied else traces.scrub(cell) or "" for i, cell in enumerate(cells)]


def sibling(path: Path) -> Path:
    """Return a new name next to a stored file, for its rewritten version."""
    return path.with_name(f"{path.name}.{secrets.token_hex(4)}.erasing")


def rewrite(source: Path, target: Path, traces: Traces, columns: Columns) -> str | None:
    """Write the file without the person to target; return REWRITTEN, REMOVED (unreadable) or None."""
    try:
        kind = file_format(head_bytes(source))
        changed = (rewrite_xlsx if kind == "xlsx" else rewrite_csv)(source, target, traces, columns)
    except (ImportFileError, UnsafeWorkbookError, UnicodeError, csv.Error):
        target.unlink(missing_ok=True)
        return REMOVED if unreadable_holds(source, traces) else None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if not changed:
        target.unlink(missing_ok=True)
    return REWRITTEN if changed else None


def unreadable_holds(path: Path, traces: Traces) -> bool:
    """Return whether a file that cannot be read as a table may hold a trace (its bytes, or a workbook)."""
    data = path.read_bytes()
    if data.startswith(ZIP_MAGIC):
        return True
    texts = (data.decode("utf-8", "replace"), data.decode("cp1252", "replace"))
    return any(traces.found_in(text) for text in texts) or traces.found_in(data.decode("utf-16", "replace"))


def rewrite_csv(source: Path, target: Path, traces: Traces, columns: Columns) -> bool:
    """Write the CSV without the person (UTF-8 with a BOM, same delimiter); return whether it changed."""
    delimiter, changed = sniff_delimiter(source), False
    with open(target, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        for record in csv_records(source, set()):
            cells = scrub_cells(record, traces, columns)
            changed = changed or cells != record
            writer.writerow(cells)
    return changed


def open_book(source: Path, read_only: bool) -> Any:
    """Open a checked workbook with its values; a damaged one is an ImportFileError (a full disk is not)."""
    from openpyxl import load_workbook

    check_workbook(source)
    try:
        return load_workbook(source, read_only=read_only, data_only=True)
    except OSError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign zip
        raise ImportFileError(str(exc)) from exc


def workbook_names(source: Path, traces: Traces) -> bool:
    """Return whether any sheet or the document properties of a workbook name the person (streamed)."""
    book = open_book(source, read_only=True)
    try:
        if any(traces.found_in(str(getattr(book.properties, name, "") or "")) for name in PROPERTIES):
            return True
        for sheet in book.worksheets:
            for values in sheet.iter_rows(values_only=True):
                cells = [cell_text(v) for v in values]
                if scrub_cells(cells, traces, Columns()) != cells:
                    return True
        return False
    finally:
        book.close()


def rewrite_xlsx(source: Path, target: Path, traces: Traces, columns: Columns) -> bool:
    """Save the workbook without the person when it names them; return whether it did."""
    if not workbook_names(source, traces):
        return False
    book = open_book(source, read_only=False)
    for name in PROPERTIES:
        value = getattr(book.properties, name, None)
        if isinstance(value, str):
            setattr(book.properties, name, traces.scrub(value))
    for number, sheet in enumerate(book.worksheets):
        scrub_sheet(sheet, traces, columns if number == 0 else Columns())
    book.save(target)
    return True


def scrub_sheet(sheet: Any, traces: Traces, columns: Columns) -> None:
    """Apply the row rules to every row of a sheet, and scrub its comments and links."""
    for row in sheet.iter_rows(min_row=1, min_col=1):
        texts = [cell_text(cell.value) for cell in row]
        for cell, old, new in zip(row, texts, scrub_cells(texts, traces, columns), strict=True):
            if new != old and type(cell).__name__ != "MergedCell":
                cell.value = new or None
            scrub_extras(cell, traces)


def scrub_extras(cell: Any, traces: Traces) -> None:
    """Drop a cell's comment or link that names the person."""
    if cell.comment is not None and traces.found_in(f"{cell.comment.text} {cell.comment.author}"):
        cell.comment = None
    link = cell.hyperlink
    if link is not None and traces.found_in(f"{link.target or ''} {link.display or ''} {link.tooltip or ''}"):
        cell.hyperlink = None

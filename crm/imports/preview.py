"""A pass over an import file: the dry-run preview, and the same pass writing when committing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from crm.exports.writer import plain
from crm.imports.attendance_rows import AttendanceRows
from crm.imports.cofinance_rows import CofinanceRows
from crm.imports.contact_rows import ContactRows
from crm.imports.conventions import evidence
from crm.imports.extras import RowWriteError
from crm.imports.mapping import clean_mapping, fields_of, number_style
from crm.imports.org_rows import OrganisationRows
from crm.imports.reading import ImportFileError, data_rows, headers_of
from crm.imports.rows import Ambiguity, PassContext, RowResult, settle
from crm.models import ImportBatch

HANDLERS: dict[str, Any] = {
    "organisations": OrganisationRows,
    "contacts": ContactRows,
    "cofinance": CofinanceRows,
    "attendance": AttendanceRows,
}
CHUNK = 500
SHOWS = ("all", "error", "choices", "create", "update", "unchanged")
# Failures that already tell the user what went wrong, in their words.
EXPLAINED = (RowWriteError, ImportFileError)


class UnforeseenWriteError(Exception):
    """Writing some rows failed in a way the preview could not foresee; the cause is chained."""

    def __init__(self, first: int, last: int) -> None:
        super().__init__(f"rows {first}-{last}")
        self.first, self.last = first, last


@contextmanager
def writing(ctx: PassContext, rows: list[RowResult]) -> Iterator[None]:
    """Tag an unforeseen failure of the writing pass with the rows it was handling."""
    try:
        yield
    except EXPLAINED:
        raise
    except Exception as exc:
        if not ctx.apply:
            raise
        raise UnforeseenWriteError(rows[0].number, rows[-1].number) from exc


@dataclass
class Listing:
    """Which rows a preview page keeps: a filter and a window."""

    show: str = "all"
    offset: int = 0
    limit: int = 0

    def wants(self, row: RowResult) -> bool:
        """Return whether the row passes the filter."""
        if self.show == "choices":
            return row.needs_choice
        return self.show == "all" or row.action == self.show


@dataclass
class PassResult:
    """The counts of a pass and the rows kept for display."""

    counts: dict[str, int] = field(default_factory=dict)
    rows: list[RowResult] = field(default_factory=list)
    listed: int = 0
    written: dict[str, int] = field(default_factory=dict)
    ambiguous: dict[str, Ambiguity] = field(default_factory=dict)  # field key -> numbers like 1.500


def upload_dir() -> Path:
    """Return the folder (outside static/) where uploaded import files are kept."""
    folder = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(batch: ImportBatch) -> Path:
    """Return the path of a batch's stored file."""
    return upload_dir() / batch.stored_name


def preview_file(upload: Path) -> Path:
    """Return the file where the preview job keeps an upload's checked rows (it goes with the upload)."""
    return upload.with_name(f"{upload.name}.preview")


def context(batch: ImportBatch, today: date, apply: bool = False) -> PassContext:
    """Build the pass context of a batch from its file, mapping and decisions."""
    headers = headers_of(stored_path(batch))
    mapping = clean_mapping(batch.kind, batch.mapping or {}, len(headers))
    decisions = {str(k): str(v) for k, v in (batch.decisions or {}).items()}
    return PassContext(
        batch.kind, headers, mapping, decisions, today, batch.user_id, apply, batch.id, batch.event_id,
        file_style(batch, mapping),
    )  # fmt: skip


def number_columns(kind: str, mapping: dict[str, int]) -> list[int]:
    """Return the columns that feed number fields."""
    return [
        column for key, column in mapping.items() if key in fields_of(kind) and fields_of(kind)[key].number
    ]


def file_style(batch: ImportBatch, mapping: dict[str, int]) -> str:
    """Return the number convention to read the file with: the user's word, else what its cells settle."""
    style = number_style(batch.mapping)
    columns = number_columns(batch.kind, mapping)
    if style != "auto" or not columns:
        return style
    return evidence(stored_path(batch), columns).style or "auto"


def empty_counts() -> dict[str, int]:
    """Return zeroed counts."""
    return dict.fromkeys(("rows", "create", "update", "unchanged", "error", "errors", "choices"), 0)


def run_pass(
    path: Path,
    ctx: PassContext,
    listing: Listing | None = None,
    on_chunk: Callable[[int], None] | None = None,
    on_error: Callable[[RowResult], None] | None = None,
    on_row: Callable[[RowResult], None] | None = None,
) -> PassResult:
    """Check every row (and write them when ctx.apply), chunk by chunk, keeping only what is asked."""
    handler = HANDLERS[ctx.kind](ctx)
    result = PassResult(counts=empty_counts())
    chunk: list[RowResult] = []
    for number, raw in data_rows(path):
        row = RowResult(number, ctx.cells(raw), raw)
        with writing(ctx, [row]):
            handler.check(row)
        chunk.append(row)
        if len(chunk) >= CHUNK:
            finish_chunk(handler, chunk, result, listing, on_error, on_row)
            chunk = []
            if on_chunk:
                on_chunk(result.counts["rows"])
    finish_chunk(handler, chunk, result, listing, on_error, on_row)
    result.written = getattr(handler, "counts", {})
    result.ambiguous = ctx.ambiguous
    return result


def finish_chunk(
    handler: Any,
    chunk: list[RowResult],
    result: PassResult,
    listing: Listing | None,
    on_error: Callable[[RowResult], None] | None,
    on_row: Callable[[RowResult], None] | None = None,
) -> None:
    """Compare (and write) a chunk, then count its rows and keep the listed ones (or hand each over)."""
    if not chunk:
        return
    with writing(handler.ctx, chunk):
        handler.chunk(chunk)
    for row in chunk:
        settle(row)
        count(result, row)
        if on_error and row.errors:
            on_error(row)
        if on_row:
            on_row(row)
        if listing and listing.wants(row):
            if listing.offset <= result.listed < listing.offset + listing.limit:
                result.rows.append(row)
            result.listed += 1


def count(result: PassResult, row: RowResult) -> None:
    """Add a row to the counts."""
    counts = result.counts
    counts["rows"] += 1
    counts[row.action] += 1
    counts["errors"] += len(row.errors)
    counts["choices"] += row.needs_choice


def preview(batch: ImportBatch, today: date, listing: Listing) -> PassResult:
    """Run the dry run of a batch (nothing is written) and keep one page of rows."""
    return run_pass(stored_path(batch), context(batch, today), listing)


def messages_of(row: RowResult, ctx: PassContext) -> str:
    """Return a row's errors as one cell: 'Column: message; ...'."""
    return "; ".join(f"{ctx.column(key)}: {message}" if key else message for key, message in row.errors)


def error_file(batch: ImportBatch, today: date) -> str:
    """Return a CSV (UTF-8 with BOM) of the rows with errors, as read, plus an errors column."""
    ctx = context(batch, today)
    failed: list[RowResult] = []
    run_pass(stored_path(batch), ctx, on_error=failed.append)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([plain(h) for h in [*ctx.headers, _("Errors")]])
    for row in failed:
        cells = (row.raw + [""] * len(ctx.headers))[: len(ctx.headers)]
        writer.writerow([plain(c) for c in [*cells, messages_of(row, ctx)]])
    return "\ufeff" + buffer.getvalue()

"""Import batches: store the upload, keep the mapping and the user's choices, list batches."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select

from crm.errors import UserError
from crm.extensions import db
from crm.imports.mapping import initial_mapping, mapping_problems, number_style, remember, with_style
from crm.imports.parsing import NUMBER_STYLES
from crm.imports.preview import preview_file, stored_path, upload_dir
from crm.imports.reading import ImportFileError, headers_of, inspect_file
from crm.models import IMPORT_KINDS, ImportBatch, User
from crm.models.imports import ImportKind
from crm.permissions import can

EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")


def max_bytes() -> int:
    """Return the size limit of an import file."""
    return int(current_app.config["IMPORT_MAX_MB"]) * 1024 * 1024


def too_large_message() -> str:
    """Return the message shown for a file over the limit."""
    return _(
        "The file is larger than %(mb)s MB. Split it into smaller files.",
        mb=current_app.config["IMPORT_MAX_MB"],
    )


def display_name(filename: str | None) -> str:
    """Return the user's file name without folders or control characters, for display only."""
    name = Path((filename or "").replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable())[:255] or "file"


def extension_of(filename: str) -> str:
    """Return the file's extension if an import can read it; refuse others with a message."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xls":
        raise UserError(_("Old .xls workbooks cannot be read: save the sheet as .xlsx or CSV."))
    if suffix not in EXTENSIONS:
        raise UserError(_("Upload a CSV or XLSX file."))
    return suffix


def new_stored_name(suffix: str) -> str:
    """Return a random name for a stored upload (never the user's name)."""
    return secrets.token_hex(16) + suffix


def create_batch(
    kind: str, source: Any, filename: str | None, user_id: int | None, event_id: int | None = None
) -> ImportBatch:
    """Store an uploaded file (a FileStorage or a path), read it once and open a batch at the mapping step."""
    if kind not in IMPORT_KINDS:
        raise UserError(_("Choose what the file contains."))
    if (kind == ImportKind.ATTENDANCE) != (event_id is not None):
        raise UserError(_("Choose the event whose sign-in sheet this is."), field="event")
    name = display_name(filename)
    stored_name = new_stored_name(extension_of(name))
    path = upload_dir() / stored_name
    save(source, path)
    try:
        if path.stat().st_size > max_bytes():
            raise UserError(too_large_message())
        info = inspect_file(path, int(current_app.config["IMPORT_MAX_ROWS"]))
    except (ImportFileError, UserError) as exc:
        path.unlink(missing_ok=True)
        raise UserError(str(exc)) from None
    batch = ImportBatch(
        kind=kind,
        filename=name,
        stored_name=stored_name,
        user_id=user_id,
        status="previewed",
        mapping=initial_mapping(kind, info.headers),
        decisions={},
        counts={},
        total_rows=info.rows,
        done_rows=0,
        event_id=event_id,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def save(source: Any, path: Path) -> None:
    """Copy the upload (or a file on disk) to its stored path."""
    if isinstance(source, str | Path):
        shutil.copyfile(source, path)
    else:
        source.save(path)


def editable(batch: ImportBatch) -> None:
    """Refuse changes to a batch that was already started."""
    if batch.status != "previewed":
        raise UserError(_("This import was already started; upload the file again to change it."))


def save_mapping(batch: ImportBatch, mapping: dict[str, int], numbers: str | None = None) -> None:
    """Keep the user's column mapping (and number convention); remember the mapping for this layout."""
    editable(batch)
    problems = mapping_problems(batch.kind, mapping)
    if problems:
        raise UserError(" ".join(problems))
    batch.mapping = with_style(mapping, numbers or number_style(batch.mapping))
    batch.counts = {}
    remember(batch.kind, headers_of(stored_path(batch)), mapping)
    db.session.flush()


def save_numbers(batch: ImportBatch, style: str) -> None:
    """Keep how the file writes numbers: 'point' (1,234.56), 'comma' (1.234,56) or 'auto'."""
    editable(batch)
    if style not in NUMBER_STYLES:
        raise UserError(_("Choose how the file writes numbers."))
    batch.mapping = with_style(dict(batch.mapping or {}), style)
    batch.counts = {}
    db.session.flush()


def save_decisions(batch: ImportBatch, choices: dict[str, str]) -> None:
    """Keep the user's "update this one" / "create new" choices for name matches."""
    editable(batch)
    decisions = dict(batch.decisions or {})
    for number, choice in choices.items():
        if not number.isdigit() or len(number) > 9:
            continue
        if choice == "create" or (choice.isdigit() and len(choice) < 10):
            decisions[number] = choice
        else:
            decisions.pop(number, None)
    batch.decisions = decisions
    batch.counts = {}
    db.session.flush()


def record_preview(batch: ImportBatch, counts: dict[str, int]) -> None:
    """Keep the counts of the last preview: committing accepts exactly those errors."""
    if batch.status == "previewed":
        batch.counts = dict(counts)
        db.session.flush()


def visible_batches(user: User) -> Select:
    """Select the batches the user may see: every batch with import.view_all, else their own."""
    query = select(ImportBatch)
    return query if can(user, "import.view_all") else query.where(ImportBatch.user_id == user.id)


def discard_file(batch: ImportBatch) -> None:
    """Delete a batch's stored file (kept until then so errors can be downloaded) and its stored preview."""
    stored_path(batch).unlink(missing_ok=True)
    preview_file(stored_path(batch)).unlink(missing_ok=True)

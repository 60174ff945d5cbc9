"""What the imports feature adds to other features (see crm/registry.py): erasing a person from batches."""

from __future__ import annotations

import os
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from crm.documents import current_version, remove_after_commit, replace_after_commit
from crm.errors import UserError
from crm.extensions import db
from crm.imports.preview import preview_file, upload_dir
from crm.imports.scrub_files import REMOVED, columns_of, rewrite, sibling
from crm.models import ImportBatch
from crm.privacy.erasure import Traces, scrub_rows
from crm.registry import on_erase

BUSY = ("queued", "running")  # their job reads the file: erasing under it could import the person again
TEXTS = ["filename", "error", "mapping", "decisions", "counts"]


@on_erase(30)
def erase_from_import_batches(traces: Traces) -> dict[str, int]:
    """Rewrite the stored files that name the erased person (see scrub_files) and scrub the batches' texts."""
    query = select(ImportBatch.id, ImportBatch.stored_name, ImportBatch.mapping, ImportBatch.status)
    touched, removed = [], []
    for batch_id, stored_name, mapping, status in db.session.execute(query.order_by(ImportBatch.id)).all():
        outcome = erase_from_file(stored_name, mapping, status, traces)
        if outcome:
            touched.append(batch_id)
        if outcome == REMOVED:
            removed.append(batch_id)
    extra = ImportBatch.id.in_(touched) if touched else None
    rows = scrub_rows(ImportBatch, TEXTS, traces, extra)
    for batch_id in removed:
        mark_file_erased(batch_id)
    return {"import_batches": rows, "import_files": len(touched)}


def erase_from_file(stored_name: str, mapping: Any, status: str, traces: Traces) -> str | None:
    """Prepare a batch's stored file without the person, applied at commit; return what will happen."""
    path = upload_dir() / os.path.basename(stored_name or "")
    if not stored_name or not path.is_file():
        return None
    source = current_version(path)  # a second erasure in the same transaction builds on the first
    target = sibling(path)
    outcome = rewrite(source, target, traces, columns_of(mapping))
    if outcome and status in BUSY:
        target.unlink(missing_ok=True)
        raise UserError(_("An import that holds this person is running; erase them once it has finished."))
    if outcome:
        remove_after_commit(preview_file(path))  # its rows name the person; the next preview is made anew
    if outcome == REMOVED:
        remove_after_commit(path)
    elif outcome:
        replace_after_commit(path, target)
    return outcome


def mark_file_erased(batch_id: int) -> None:
    """Note on the batch that its file was removed by a data-protection erasure."""
    counts = db.session.scalar(select(ImportBatch.counts).where(ImportBatch.id == batch_id)) or {}
    statement = (
        update(ImportBatch).where(ImportBatch.id == batch_id).values(counts={**counts, "file_erased": 1})
    )
    db.session.execute(statement.execution_options(synchronize_session=False))

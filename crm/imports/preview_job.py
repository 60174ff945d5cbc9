"""The preview of a large file as a job: the dry run over 100,000 rows takes longer than a request may.

Files of up to IMPORT_PREVIEW_SYNC_ROWS rows are previewed in the request, as before. A larger one is
checked once by this job, which writes every row's result as one line of a file next to the stored upload
(`<stored name>.preview`): a first line with the counts, then one line per row, prefixed by the filters
it belongs to, so that a page of any filter is read without decoding the rest. The file is valid for one
key: the mapping, the user's choices, the day and the language; changing any of them asks for a new pass.
The rows hold people's names, so the file goes with the upload (discarded or erased with it), and a pass
that finds its upload rewritten meanwhile (an erasure) throws its result away.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import current_app
from flask_babel import force_locale
from redis.exceptions import RedisError

from crm import jobs
from crm.clock import today
from crm.extensions import db
from crm.imports.jobs import JOB_TIMEOUT
from crm.imports.preview import context, preview_file, run_pass, stored_path
from crm.imports.rows import RowResult
from crm.imports.services import record_preview
from crm.jobs import job
from crm.models import ImportBatch
from crm.redis_conn import get_redis


def in_request(batch: ImportBatch) -> bool:
    """Return whether the batch is small enough to be previewed inside the request."""
    return batch.total_rows <= current_app.config["IMPORT_PREVIEW_SYNC_ROWS"]


def preview_key(batch: ImportBatch, locale: str) -> str:
    """Return the key of what a preview depends on: mapping, choices, the day and the language."""
    facts = [batch.mapping or {}, batch.decisions or {}, today().isoformat(), locale]
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def store(batch: ImportBatch) -> Path:
    """Return the file holding the batch's stored preview."""
    return preview_file(stored_path(batch))


def progress_key(batch_id: int) -> str:
    """Return the Redis key holding how many rows the preview job has checked."""
    return f"crm:import:{batch_id}:preview"


def progress(batch_id: int) -> int:
    """Return how many rows the preview job has checked (0 when Redis does not answer)."""
    try:
        raw = get_redis().get(progress_key(batch_id))
    except (RedisError, OSError):
        return 0
    return int(raw) if raw else 0


def note_progress(batch_id: int, done: int) -> None:
    """Publish the job's progress (a Redis hiccup must not stop the preview)."""
    with contextlib.suppress(RedisError, OSError):
        get_redis().set(progress_key(batch_id), done, ex=JOB_TIMEOUT)


# --- reading a stored preview ---------------------------------------------------------------------------


def summary(batch: ImportBatch, key: str) -> dict[str, Any] | None:
    """Return the stored preview's counts if it was made for this key, else None."""
    try:
        with store(batch).open(encoding="utf-8") as lines:
            head = json.loads(lines.readline() or "{}")
    except (OSError, ValueError):
        return None
    return head if head.get("key") == key else None


def rows_of(batch: ImportBatch, show: str, offset: int, limit: int) -> list[SimpleNamespace]:
    """Return one page of the stored rows of a filter ('all', an action, or 'choices')."""
    with store(batch).open(encoding="utf-8") as lines:
        tagged = (line.split("\t", 1) for line in islice(lines, 1, None))
        wanted = (data for tags, data in tagged if show in tags.split("|"))
        return [shown(json.loads(data)) for data in islice(wanted, offset, offset + limit)]


def shown(data: dict[str, Any]) -> SimpleNamespace:
    """Turn a stored row back into what the preview template reads."""
    return SimpleNamespace(**{**data, "match": SimpleNamespace(how=data.get("how"))})


# --- writing it -------------------------------------------------------------------------------------------


def stored_row(row: RowResult) -> str:
    """Return a row's line: the filters it belongs to, a tab, what the page shows of it (JSON)."""
    data = {
        "number": row.number, "label": str(row.label), "action": row.action, "target_id": row.target_id,
        "target_label": row.target_label and str(row.target_label), "changes": row.changes,
        "extras": row.extras,
        "errors": [[key, str(message)] for key, message in row.errors], "candidates": row.candidates,
        "notes": [str(note) for note in row.notes],
        "how": row.match.how if row.match else None, "needs_choice": row.needs_choice,
    }  # fmt: skip
    tags = f"all|{row.action}|{'choices|' if row.needs_choice else ''}"
    return f"{tags}\t{json.dumps(data, ensure_ascii=False, default=str)}\n"


def upload_stamp(batch: ImportBatch) -> tuple[int, int]:
    """Return what changes when the upload is rewritten (an erasure replaces the file)."""
    facts = stored_path(batch).stat()
    return facts.st_ino, facts.st_mtime_ns


@job(queue="default", timeout=JOB_TIMEOUT)
def build_preview(batch_id: int, key: str, locale: str) -> str:
    """Check every row of a previewed batch once and store the result; safe to run twice."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.status != "previewed" or preview_key(batch, locale) != key:
        return "skipped"
    if summary(batch, key) is not None:
        return "ready"
    with force_locale(locale):
        counts = write_preview(batch, key)
    if counts is not None:
        record_preview(batch, counts)  # committing accepts exactly these errors (the job's end commits)
    return "ready" if counts is not None else "discarded"


def write_preview(batch: ImportBatch, key: str) -> dict[str, int] | None:
    """Run the dry run into a new file and put it in place; None when the upload changed meanwhile."""
    target, stamp = store(batch), upload_stamp(batch)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    with partial.open("w", encoding="utf-8") as out:
        out.write(" " * 4096 + "\n")  # room for the head line, written once the counts are known
        result = run_pass(
            stored_path(batch),
            context(batch, today()),
            on_row=lambda row: out.write(stored_row(row)),
            on_chunk=lambda n: note_progress(batch.id, n),
        )
    head = {"key": key, "counts": result.counts, "ambiguous": ambiguous(result.ambiguous)}
    head["listed"] = listed(partial)
    write_head(partial, head)
    if upload_stamp(batch) != stamp:
        partial.unlink(missing_ok=True)
        return None
    os.replace(partial, target)
    note_progress(batch.id, 0)
    return result.counts


def ambiguous(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the ambiguous numbers per column as plain values."""
    return {key: {"count": a.count, "examples": list(a.examples)} for key, a in found.items()}


def tags_of(path: Path) -> Iterator[str]:
    """Yield the filter tags of every stored row."""
    with path.open(encoding="utf-8") as lines:
        for line in islice(lines, 1, None):
            yield line.split("\t", 1)[0]


def listed(path: Path) -> dict[str, int]:
    """Count the stored rows of each filter."""
    found: dict[str, int] = {}
    for tags in tags_of(path):
        for tag in filter(None, tags.split("|")):
            found[tag] = found.get(tag, 0) + 1
    return found


def write_head(path: Path, head: dict[str, Any]) -> None:
    """Write the head line into the room left for it at the top of the file."""
    line = json.dumps(head, ensure_ascii=False)
    if len(line.encode()) > 4096:
        raise ValueError("preview head too long")
    with path.open("r+b") as out:
        out.write(line.encode().ljust(4096) + b"\n")


# --- what the preview page asks -------------------------------------------------------------------------


def stored_result(batch: ImportBatch, locale: str, show: str, offset: int, limit: int) -> Any:
    """Return the stored preview as the page reads a pass's result, or None while it is being made."""
    head = summary(batch, preview_key(batch, locale))
    if head is None:
        return None
    rows = rows_of(batch, show, offset, limit)
    listed = head["listed"].get(show, 0)
    return SimpleNamespace(
        counts=head["counts"], ambiguous=head["ambiguous"], written={}, rows=rows, listed=listed
    )


def job_id_of(batch: ImportBatch, key: str) -> str:
    """Return the id of the job that makes this preview (one per batch and key)."""
    return f"crm-import-preview-{batch.id}-{key[:16]}"


def ask_for(batch: ImportBatch, locale: str) -> str | None:
    """Start the preview job unless it already waits or runs; return its id when it was started now."""
    key = preview_key(batch, locale)
    ident = job_id_of(batch, key)
    if jobs.waiting(ident):
        return None
    with contextlib.suppress(RedisError, OSError):  # Redis away: start it again, the outbox keeps it
        if jobs.alive(get_redis(), ident):
            return None
    build_preview.start(batch.id, key, locale, job_id=ident)
    return ident

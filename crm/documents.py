"""Uploaded documents: accepted by content, stored outside static under a random name, sent back safely."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flask import Response, abort, current_app, send_file
from flask_babel import gettext as _
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from crm.errors import UserError
from crm.extensions import db
from crm.models import Document

# The first bytes decide the type; the file name and the browser's declared type are ignored.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
EXTENSIONS = {mimetype: ext for _magic, mimetype, ext in SIGNATURES}
ALSO_FINE = {"image/jpeg": (".jpeg", ".jpe")}
CHUNK = 64 * 1024
ON_COMMIT = "documents.on_commit"  # file actions waiting for the session's transaction to commit
ON_ROLLBACK = "documents.on_rollback"  # ... or to be rolled back
REPLACING = "documents.replacing"  # stored path -> the new version waiting to take its place
log = logging.getLogger(__name__)


def size_limit() -> int:
    """Return the configured upload limit in bytes."""
    return int(current_app.config["MAX_CONTENT_LENGTH"] or 10 * 1024 * 1024)


def limit_mb() -> str:
    """Return the upload limit in megabytes, for messages."""
    megabytes = size_limit() / (1024 * 1024)
    return f"{megabytes:g}"


def sniff(head: bytes) -> str | None:
    """Return the content type the first bytes announce, or None when not an accepted kind."""
    for magic, mimetype, _ext in SIGNATURES:
        if head.startswith(magic):
            return mimetype
    return None


def upload_dir() -> Path:
    """Return the upload folder, creating it on first use."""
    folder = Path(current_app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def display_name(file_storage: FileStorage) -> str:
    """Return the name the user knows the file by (path parts and control characters removed)."""
    raw = (file_storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in raw if ch.isprintable()).strip()
    return cleaned[:255] or "document"


def has_file(file_storage: FileStorage | None) -> bool:
    """Return whether the form field carried a file (an untouched file input sends an empty part)."""
    return file_storage is not None and bool(file_storage.filename)


def copy_limited(source: IO[bytes], target: IO[bytes]) -> tuple[int, str, bytes]:
    """Copy at most the size limit; return size, sha256 and the first bytes (UserError when larger)."""
    digest, size, head, limit = hashlib.sha256(), 0, b"", size_limit()
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise UserError(_("The file is larger than %(limit)s MB.", limit=limit_mb()))
        head = (head + chunk[:16])[:16] if len(head) < 16 else head
        digest.update(chunk)
        target.write(chunk)
    return size, digest.hexdigest(), head


@contextmanager
def disk_full_refused() -> Iterator[None]:
    """Turn a full disk (or quota) while writing into a message for the user instead of a server error."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        current_app.logger.error("upload refused: the disk is full (%s)", exc)
        message = _(
            "The server's disk is full: the file was not saved and nothing changed. Tell the administrator."
        )
        raise UserError(message) from exc


def write_file(file_storage: FileStorage, path: Path) -> tuple[int, str, str]:
    """Write the upload to path and return size, sha256 and content type; remove it when refused."""
    try:
        with disk_full_refused(), open(path, "xb") as target:
            size, sha256, head = copy_limited(file_storage.stream, target)
        if size == 0:
            raise UserError(_("The file is empty. Choose the scanned letter again."))
        mimetype = sniff(head)
        if mimetype is None:
            raise UserError(_("Only PDF, PNG or JPEG files are accepted; this file is of another kind."))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return size, sha256, mimetype


def store_upload(file_storage: FileStorage | None, user_id: int | None) -> Document:
    """Check and store an uploaded scan; return its (flushed) Document row."""
    if not has_file(file_storage):
        raise UserError(_("Choose a file to upload."))
    storage_name = secrets.token_hex(16)
    path = upload_dir() / storage_name
    size, sha256, mimetype = write_file(file_storage, path)
    document = Document(
        storage_name=storage_name,
        original_name=display_name(file_storage),
        content_type=mimetype,
        size=size,
        sha256=sha256,
        uploaded_by_id=user_id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def file_path(document: Document) -> Path:
    """Return where the document's bytes are kept (the name is ours: hex only)."""
    return stored_file(document.storage_name)


def stored_file(storage_name: str) -> Path:
    """Return the path of a stored name, never outside the upload folder."""
    return upload_dir() / os.path.basename(storage_name)


def remove_file(storage_name: str) -> None:
    """Delete a stored file, e.g. after the transaction that recorded it was rolled back."""
    stored_file(storage_name).unlink(missing_ok=True)


def download_name(document: Document) -> str:
    """Return a header-safe file name that ends in the extension of what the file really is."""
    name = secure_filename(document.original_name) or "document"
    expected = EXTENSIONS.get(document.content_type, "")
    suffix = Path(name).suffix.lower()
    if expected and suffix != expected and suffix not in ALSO_FINE.get(document.content_type, ()):
        name = f"{name}{expected}"  # a PNG uploaded as "scan.pdf" downloads as "scan.pdf.png"
    return name


def send_document(document: Document) -> Response:
    """Send a stored document as an attachment with its original name; 404 when the file is gone."""
    path = file_path(document)
    if not path.is_file():
        current_app.logger.error("document %s missing on disk: %s", document.id, path)
        abort(404)
    response = send_file(
        path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=download_name(document),
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- files that follow the transaction of the rows naming them ------------------------------------------


def on_outcome(committed: Callable[[], None], rolled_back: Callable[[], None] | None = None) -> None:
    """Run committed() once the session's transaction commits, rolled_back() if it is rolled back."""
    _listen()
    db.session.info.setdefault(ON_COMMIT, []).append(committed)
    if rolled_back is not None:
        db.session.info.setdefault(ON_ROLLBACK, []).append(rolled_back)


def remove_after_commit(path: Path) -> None:
    """Delete a file once the transaction that deletes its rows commits; a rollback keeps it."""
    on_outcome(lambda: path.unlink(missing_ok=True))


def replace_after_commit(path: Path, new: Path) -> None:
    """Put new in the place of path once the transaction commits; a rollback drops new, path unchanged."""
    db.session.info.setdefault(REPLACING, {})[str(path)] = new
    on_outcome(lambda: os.replace(new, path), lambda: new.unlink(missing_ok=True))


def current_version(path: Path) -> Path:
    """Return the file that path will hold after this transaction (a replacement waiting, else path)."""
    return db.session.info.get(REPLACING, {}).get(str(path), path)


def _settle(session: Session, run: str, drop: str) -> None:
    """Run the actions waiting for this outcome and forget the others (never failing the outcome)."""
    if session.in_nested_transaction():  # a savepoint: the outer transaction decides
        return
    session.info.pop(drop, None)
    session.info.pop(REPLACING, None)
    for action in session.info.pop(run, []):
        try:
            action()
        except OSError:
            log.exception("a stored file could not follow its transaction")


def _after_commit(session: Session) -> None:
    """Apply the file actions of a committed transaction."""
    _settle(session, ON_COMMIT, ON_ROLLBACK)


def _after_rollback(session: Session) -> None:
    """Undo the file preparations of a rolled-back transaction."""
    _settle(session, ON_ROLLBACK, ON_COMMIT)


def _listen() -> None:
    """Register the transaction hooks once per process."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def remove_documents(ids: list[int]) -> int:
    """Delete document rows now and their files once the transaction commits; return the rows deleted."""
    for storage_name in db.session.scalars(select(Document.storage_name).where(Document.id.in_(ids))):
        remove_after_commit(stored_file(storage_name))
    statement = delete(Document).where(Document.id.in_(ids)).execution_options(synchronize_session=False)
    return db.session.execute(statement).rowcount

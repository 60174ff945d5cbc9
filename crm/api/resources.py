"""Helpers every API resource shares: ETags from versions, If-Match, and refusals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import request
from flask_smorest import abort
from sqlalchemy.orm.exc import StaleDataError

from crm.errors import StaleEditError, discard_work

ETAG_HEADER = {
    "ETag": {
        "description": "the record's version; send it back in If-Match to change it",
        "schema": {"type": "string"},
    }
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "the ETag of the GET this change is based on (428 without it, 412 if stale)",
}


def etag(version: int) -> dict[str, str]:
    """Return the ETag header of a record version."""
    return {"ETag": f'"{version}"'}


def expected_version() -> int:
    """Return the version named by If-Match: 428 without one, 412 for one that is no version."""
    raw = request.headers.get("If-Match")
    if not raw:
        abort(428)
    text = raw.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        abort(412)
    return int(text)


def stale() -> None:
    """Refuse a write based on an older version of the record (a flush that lost the race is undone)."""
    discard_work()  # after a failed flush the session cannot even read the user's language
    abort(412)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def version_of(row: Any) -> int:
    """Return the version a record's ETag names: its version column, else its last save (microseconds).

    Memberships have no version column: the portal's "confirm all" saves hundreds of them in one
    executemany, which SQLAlchemy's version counter would split into one UPDATE each.
    """
    if hasattr(row, "version_id"):
        return row.version_id
    saved = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
    return (saved - EPOCH) // timedelta(microseconds=1)


def matched() -> str:
    """Return the version If-Match names, as sent (428 without one)."""
    raw = request.headers.get("If-Match")
    if not raw:
        abort(428)
    return raw.strip().removeprefix("W/").strip('"')


@contextmanager
def if_match(row: Any) -> Iterator[None]:
    """Run a write of the row only if If-Match names its current version (428 without, 412 if stale).

    The check refuses a copy that is already old; the versioned UPDATE or DELETE of the flush (or the
    row lock the caller took) refuses a save that won the race between the check and the write.
    """
    if matched() != str(version_of(row)):
        stale()
    try:
        yield
    except (StaleEditError, StaleDataError):
        stale()


def first(query: Any, ident: int) -> Any:
    """Fetch a row of a scoped query or answer 404 (the same as the pages)."""
    from crm.permissions import get_or_404

    return get_or_404(query, ident)

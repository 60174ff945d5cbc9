"""Helpers every API resource shares: ETags from versions, If-Match, and refusals."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import abort

from crm.errors import discard_work

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


def first(query: Any, ident: int) -> Any:
    """Fetch a row of a scoped query or answer 404 (the same as the pages)."""
    from crm.permissions import get_or_404

    return get_or_404(query, ident)

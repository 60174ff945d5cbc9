"""The read trail: who was shown which confidential fields of which company, when and from where.

One mechanism, so that a new page, export, report drill-down, API call or e-mail cannot forget it. A model
whose rows are confidential declares what they are and which fields they hold:

    __confidential__ = ("emission_profile", ("electricity_mwh_year", ...))   # what, fields
    def confidential_company(self) -> int: ...   # optional; by default the row's organisation_id

and every time such a row is loaded from the database (SQLAlchemy's "load" event, however the query was
written: lazy, joined, selectin, scalars), one `access_log` row is written: the user, the time, the
company, `what`, the fields, the endpoint, the URL and the IP address, once per request per company and
`what` (later loads add their fields to the same row). Change-history rows of a confidential model carry
its old and new values, so loading them is a read too. The rows survive a request that ends in an error
(`keep_after_rollback`): a form shown again with the values was still a read.

- Views (pages, exports, the API) need nothing more; load the rows inside the view, not in a streamed
  response's generator that runs after the request's commit.
- Jobs and e-mails have no signed-in user: wrap what loads confidential rows for a recipient in
  `with reading_as(user_id, "mail:digest"):`. Loads outside a request and outside `reading_as` (an import,
  a merge step) are system work, not a person's read, and are not recorded.
- A query that selects confidential columns without loading the model (`select(Model.col)`, an
  aggregate per company) escapes the load event: call `record_read(org_id, what, fields)` for each
  company whose values it shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import event

from crm.extensions import db
from crm.models import AccessLog, Base, ChangeLog
from crm.transactions import keep_after_rollback


@dataclass
class Reader:
    """Who is reading outside a request (a job rendering an e-mail), and the reads already recorded."""

    user_id: int | None
    source: str
    seen: dict[tuple[int, str], Any] = field(default_factory=dict)


_reader: ContextVar[Reader | None] = ContextVar("crm_reader", default=None)


@contextmanager
def reading_as(user_id: int | None, source: str) -> Iterator[None]:
    """Record the confidential rows loaded inside this block as read by this user (jobs, e-mails)."""
    token = _reader.set(Reader(user_id, source))
    try:
        yield
    finally:
        _reader.reset(token)


@cache
def confidential_entities() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Return, per change-history entity name of a confidential model, what its rows are and their fields."""
    return {
        mapper.class_.__name__.lower(): mapper.class_.__confidential__
        for mapper in Base.registry.mappers
        if hasattr(mapper.class_, "__confidential__")
    }


def read_of(obj: Any) -> tuple[int, str, tuple[str, ...]] | None:
    """Return (company, what, fields) if loading this row shows confidential values, else None."""
    spec = getattr(type(obj), "__confidential__", None)
    if spec is not None:
        company = obj.confidential_company() if hasattr(obj, "confidential_company") else obj.organisation_id
        return (company, *spec) if company is not None else None
    if isinstance(obj, ChangeLog) and obj.organisation_id is not None:
        what, fields = confidential_entities().get(obj.entity_type, (None, ()))
        shown = tuple(sorted(set(fields) & set(obj.changes or {})))
        if shown:
            return obj.organisation_id, what, shown
    return None


def request_values() -> dict[str, Any]:
    """Return who reads and from where, for a read during a request."""
    user = g.get("_login_user")  # the signed-in user Flask-Login already loaded (no query inside a load)
    return {
        "user_id": user.id if user is not None and user.is_authenticated else None,
        "endpoint": (request.endpoint or "")[:120] or None,
        "path": request.full_path.rstrip("?")[:500],
        "ip": (request.remote_addr or "")[:45] or None,
    }


def record_read(org_id: int, what: str, fields: tuple[str, ...] | list[str]) -> None:
    """Write (or extend) this request's trail row for the company's confidential fields shown."""
    reader = _reader.get()
    if reader is None and not has_request_context():
        return
    seen = reader.seen if reader is not None else g.setdefault("read_trail", {})
    key = (org_id, what)
    if key in seen:
        extend(seen[key], fields)
        return
    values = {"organisation_id": org_id, "what": what, "fields": ",".join(sorted(set(fields)))}
    if reader is not None:
        values.update(user_id=reader.user_id, endpoint=reader.source[:120], path=None, ip=None)
    else:
        values.update(request_values())
        keep_after_rollback(AccessLog, values)
    row = AccessLog(**values)
    db.session.add(row)
    seen[key] = (row, values)


def extend(entry: tuple[AccessLog, dict[str, Any]], fields: tuple[str, ...] | list[str]) -> None:
    """Add fields to a read already recorded in this request."""
    row, values = entry
    merged = ",".join(sorted(set(values["fields"].split(",")) - {""} | set(fields)))
    if merged != values["fields"]:
        values["fields"] = row.fields = merged


def on_load(obj: Any, _context: Any) -> None:
    """Record the read of a confidential row just loaded."""
    if not isinstance(obj, ChangeLog) and not hasattr(obj, "__confidential__"):
        return
    read = read_of(obj)
    if read is not None:
        record_read(*read)


def install() -> None:
    """Listen to every model's loads (once per process)."""
    if not event.contains(Base, "load", on_load):
        event.listen(Base, "load", on_load, propagate=True)

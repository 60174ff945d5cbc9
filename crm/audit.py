"""One mechanism for change history: a session hook that records audited writes."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from flask import Flask, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, configure_mappers

from crm.models import Base, ChangeLog, Organisation, utcnow

IGNORED = {"search_text", "name_key", "version_id", "created_at", "updated_at", "password_hash"}
_actor: ContextVar[int | None] = ContextVar("crm_actor", default=None)


def set_actor(user_id: int | None) -> None:
    """Name who is making changes outside a request (jobs, CLI)."""
    _actor.set(user_id)


_batch: ContextVar[int | None] = ContextVar("crm_import_batch", default=None)


def set_batch(batch_id: int | None) -> None:
    """Tag the following changes with an import batch (None to stop), so it can be undone."""
    _batch.set(batch_id)


def current_actor() -> int | None:
    """Return the id of the user making the change, if known."""
    explicit = _actor.get()
    if explicit is not None or not has_request_context():
        return explicit
    from flask_login import current_user

    return current_user.id if current_user and current_user.is_authenticated else None


def plain(value: Any) -> Any:
    """Turn a column value into something JSON can store."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def column_keys(obj: Any) -> list[str]:
    """Return the audited column attribute names of a mapped object."""
    return column_keys_of(inspect(obj).mapper)


def snapshot(obj: Any, old: bool) -> dict[str, list]:
    """Return every non-empty field as [old, new] for a create or delete."""
    state = inspect(obj).dict
    values = {k: plain(state.get(k)) for k in column_keys(obj)}
    return {k: ([v, None] if old else [None, v]) for k, v in values.items() if v not in (None, "")}


def diff(obj: Any) -> dict[str, list]:
    """Return the changed fields of an updated object as [old, new]."""
    changes = {}
    attrs = inspect(obj).attrs
    for key in column_keys(obj):
        hist = attrs[key].history
        if hist.added or hist.deleted:
            old = plain(hist.deleted[0]) if hist.deleted else None
            new = plain(hist.added[0]) if hist.added else None
            if old != new:
                changes[key] = [old, new]
    return changes


def organisation_of(obj: Any) -> int | None:
    """Return the organisation whose page lists this record's history."""
    if isinstance(obj, Organisation):
        return obj.id
    if hasattr(obj, "history_organisation_id"):
        return obj.history_organisation_id()
    return getattr(obj, "organisation_id", None)


def entity_id(obj: Any) -> int:
    """Return the primary key of an audited object."""
    state = inspect(obj)
    return state.mapper.primary_key_from_instance(obj)[0]


def save_id(session: Session) -> str:
    """Return the id shared by every change the session's current transaction writes (one save)."""
    root = session.get_transaction()
    current = session.info.get("crm_save")
    if current is None or current[0] is not root:
        current = (root, uuid4().hex)
        session.info["crm_save"] = current
    return current[1]


def row(obj: Any, action: str, changes: dict, actor: int | None, save: str | None = None) -> dict:
    """Build one change_log row."""
    return {
        "at": utcnow(),
        "user_id": actor,
        "action": action,
        "entity_type": type(obj).__name__.lower(),
        "entity_id": entity_id(obj),
        "entity_version": getattr(obj, "version_id", None),
        "organisation_id": organisation_of(obj),
        "changes": changes,
        "batch_id": _batch.get(),
        "save_id": save,
    }


def audited(objects: Any) -> list:
    """Keep the objects whose class asks to be audited."""
    return [o for o in objects if getattr(type(o), "__audited__", False)]


def collect(session: Session) -> list[dict]:
    """Build change rows for everything the flush wrote."""
    actor, save = current_actor(), save_id(session)
    rows = [row(o, "create", snapshot(o, old=False), actor, save) for o in audited(session.new)]
    for obj in audited(session.dirty):
        changes = diff(obj)
        if changes and session.is_modified(obj, include_collections=False):
            rows.append(row(obj, "update", changes, actor, save))
    rows += [row(o, "delete", snapshot(o, old=True), actor, save) for o in audited(session.deleted)]
    return rows


def after_flush(session: Session, _flush_context: Any) -> None:
    """Write the change rows in the same transaction as the change."""
    rows = collect(session)
    if rows:
        session.connection().execute(ChangeLog.__table__.insert(), rows)


def _keep_old_value(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    """Pass the value through; registering with active_history makes SQLAlchemy load the old one."""
    return value


def track_old_values() -> None:
    """Load the old value on every set of an audited column, even on expired objects."""
    configure_mappers()
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__audited__", False):
            for key in column_keys_of(mapper):
                attr = getattr(mapper.class_, key)
                if not event.contains(attr, "set", _keep_old_value):
                    event.listen(attr, "set", _keep_old_value, active_history=True, retval=True)


def column_keys_of(mapper: Any) -> list[str]:
    """Return a mapper's audited column names."""
    return [a.key for a in mapper.column_attrs if a.key not in IGNORED]


def init_app(app: Flask) -> None:
    """Register the history hook once per process."""
    track_old_values()
    if not event.contains(Session, "after_flush", after_flush):
        event.listen(Session, "after_flush", after_flush)

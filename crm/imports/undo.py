"""Undoing an import from the change_log rows tagged with its batch, unless later edits conflict."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Date, DateTime, Numeric, inspect, or_, select

from crm.audit import set_batch
from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.imports import bulk
from crm.imports.attendance import created_attendances, remove_attendances
from crm.imports.bulk import chunks
from crm.labels import label
from crm.models import (
    Attendance,
    Base,
    ChangeLog,
    Engagement,
    ImportBatch,
    Invitation,
    Registration,
    User,
    liaison_associations,
    utcnow,
)

# Children before parents, so that nothing is left pointing at a removed record.
DELETE_ORDER = (
    "materialisation",
    "letter",
    "followup",
    "interaction",
    "engagement",
    "membership",
    "contact",
    "emissionprofile",
    "organisation",
)
CHUNK = 1000
MAX_LISTED = 100  # later edits listed on the page when an undo is refused
LOG_COLUMNS = (
    ChangeLog.id,
    ChangeLog.action,
    ChangeLog.entity_type,
    ChangeLog.entity_id,
    ChangeLog.organisation_id,
    ChangeLog.changes,
)


@dataclass
class Conflict:
    """A later edit that stops the undo: which record, and what happened to it."""

    entity: str
    name: str
    what: str


@dataclass
class Touched:
    """What a batch wrote: records it created (with names) and fields it changed per record."""

    created: dict[tuple[str, int], str] = field(default_factory=dict)
    updated: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    updates: list[Any] = field(default_factory=list)
    first_id: int = 0

    @property
    def created_orgs(self) -> set[int]:
        """Return the ids of the organisations the batch created."""
        return {i for (kind, i) in self.created if kind == "organisation"}


def audited_models() -> dict[str, type]:
    """Map change_log entity types to their model classes."""
    return {
        m.class_.__name__.lower(): m.class_
        for m in Base.registry.mappers
        if getattr(m.class_, "__audited__", False)
    }


def name_in(changes: dict[str, list]) -> str:
    """Return a readable name from a create row's values."""
    values = {k: v[1] for k, v in (changes or {}).items() if isinstance(v, list) and len(v) == 2}
    person = f"{values.get('first_name') or ''} {values.get('last_name') or ''}".strip()
    return values.get("legal_name") or person or ""


def touched(batch_id: int) -> Touched:
    """Summarise the change_log rows of a batch."""
    result = Touched()
    query = select(*LOG_COLUMNS).where(ChangeLog.batch_id == batch_id).order_by(ChangeLog.id)
    for row in db.session.execute(query):
        result.first_id = result.first_id or row.id
        key = (row.entity_type, row.entity_id)
        if row.action == "create":
            result.created[key] = name_in(row.changes)
        elif row.action == "update" and key not in result.created:
            result.updated.setdefault(key, set()).update((row.changes or {}).keys())
            result.updates.append(row)
    return result


def later_rows(batch_id: int, first_id: int) -> Iterator[Any]:
    """Yield the change_log rows written after the batch began by anything else."""
    query = (
        select(*LOG_COLUMNS, ChangeLog.at, ChangeLog.user_id)
        .where(ChangeLog.id > first_id, or_(ChangeLog.batch_id.is_(None), ChangeLog.batch_id != batch_id))
        .order_by(ChangeLog.id)
        .execution_options(yield_per=CHUNK)
    )
    yield from db.session.execute(query)


def conflict_of(row: Any, seen: Touched) -> str | None:
    """Return why a later change conflicts with the batch, or None."""
    key = (row.entity_type, row.entity_id)
    if key in seen.created:
        return _("created by the import and changed later")
    fields = seen.updated.get(key)
    if fields is not None and (row.action == "delete" or fields & set((row.changes or {}).keys())):
        return _("a field the import changed was changed again later")
    if row.organisation_id in seen.created_orgs:
        return _("something was added later to an organisation the import created")
    return None


def find_conflicts(batch_id: int, seen: Touched, own: frozenset[int] = frozenset()) -> list[Conflict]:
    """List every later edit that the undo would overwrite or orphan (own: the batch's attendance rows)."""
    conflicts: dict[tuple[str, int], Conflict] = {}
    if seen.first_id:
        for row in later_rows(batch_id, seen.first_id):
            what = conflict_of(row, seen)
            if what and (row.entity_type, row.entity_id) not in conflicts:
                name = seen.created.get((row.entity_type, row.entity_id)) or f"#{row.entity_id}"
                conflicts[(row.entity_type, row.entity_id)] = Conflict(
                    label("entity", row.entity_type), name, what
                )
    return list(conflicts.values()) + contact_conflicts(seen, own) + unaudited_conflicts(seen)


def contact_conflicts(seen: Touched, own: frozenset[int]) -> list[Conflict]:
    """Find what the change log does not record about created contacts: attendances, registrations."""
    contacts = [i for (kind, i) in seen.created if kind == "contact"]
    found: list[tuple[int, str]] = []
    for ids in chunks(contacts):
        query = select(Attendance.id, Attendance.contact_id).where(Attendance.contact_id.in_(ids))
        for attendance_id, contact_id in db.session.execute(query):
            if attendance_id not in own:  # the batch's own attendance rows go with the undo
                found.append((contact_id, _("attended an event after the import")))
        for model in (Registration, Invitation):
            linked = select(model.contact_id).where(model.contact_id.in_(ids)).distinct()
            for contact_id in db.session.scalars(linked):
                found.append((contact_id, _("was invited to or registered for an event after the import")))
    return [Conflict(label("entity", "contact"), seen.created[("contact", i)], what) for i, what in found]


def unaudited_conflicts(seen: Touched) -> list[Conflict]:
    """Find links the change log does not record about created organisations: liaisons, referrals."""
    orgs = sorted(seen.created_orgs)
    created_engagements = {i for (kind, i) in seen.created if kind == "engagement"}
    found: list[Conflict] = []
    for ids in chunks(orgs):
        linked = select(liaison_associations.c.organisation_id).where(
            liaison_associations.c.organisation_id.in_(ids)
        )
        referred = select(Engagement.source_association_id, Engagement.id).where(
            Engagement.source_association_id.in_(ids)
        )
        for org_id in db.session.scalars(linked):
            found.append(Conflict(label("entity", "organisation"), seen.created[("organisation", org_id)],
                                  _("a liaison was linked to it after the import")))  # fmt: skip
        for org_id, engagement_id in db.session.execute(referred):
            if engagement_id not in created_engagements:
                found.append(Conflict(label("entity", "organisation"), seen.created[("organisation", org_id)],
                                      _("it referred a company after the import")))  # fmt: skip
    return found


# --- undoing ---------------------------------------------------------------------------------------------


def column_value(model: type, key: str, value: Any) -> Any:
    """Turn a stored JSON value back into the column's Python type."""
    column = inspect(model).columns.get(key)
    if value is None or column is None:
        return value
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, Numeric):
        return Decimal(str(value))
    return value


def load(model: type, ids: list[int]) -> dict[int, Any]:
    """Load records by primary key, in chunks."""
    pk = inspect(model).primary_key[0]
    found: dict[int, Any] = {}
    for part in chunks(ids):
        found.update({getattr(r, pk.key): r for r in db.session.scalars(select(model).where(pk.in_(part)))})
    return found


def restore(seen: Touched, models: dict[str, type]) -> int:
    """Set every field the batch changed back to its value before the batch (newest change first)."""
    records: dict[tuple[str, int], Any] = {}
    for kind in {k for (k, _i) in seen.updated}:
        ids = [i for (k, i) in seen.updated if k == kind]
        records.update({(kind, i): r for i, r in load(models[kind], ids).items()})
    for row in reversed(seen.updates):
        record = records.get((row.entity_type, row.entity_id))
        for key, (old, _new) in (row.changes or {}).items():
            if record is not None:
                setattr(record, key, column_value(type(record), key, old))
    db.session.flush()
    return len(records)


def remove_created(seen: Touched, models: dict[str, type]) -> int:
    """Delete the records the batch created, children first, each deletion written in the history."""
    kinds = sorted(
        {k for (k, _i) in seen.created}, key=lambda k: DELETE_ORDER.index(k) if k in DELETE_ORDER else -1
    )
    db.session.flush()
    removed = sum(
        bulk.delete_many(models[kind], [i for (k, i) in seen.created if k == kind]) for kind in kinds
    )
    db.session.expire_all()  # objects the session holds may have been deleted underneath it
    return removed


def undo_batch(batch: ImportBatch, user: User) -> dict[str, int]:
    """Undo a finished batch, or raise StaleEditError whose changes are the later edits (nothing undone)."""
    if batch.status != "done":
        raise UserError(_("Only a finished import can be undone."))
    seen = touched(batch.id)
    own = created_attendances(batch)
    conflicts = find_conflicts(batch.id, seen, own)
    if conflicts:
        raise StaleEditError(conflicts)
    set_batch(None)
    models = audited_models()
    removed = remove_attendances(own)  # not in the change log: the batch lists them
    counts = {"restored": restore(seen, models), "removed": removed + remove_created(seen, models)}
    batch.status = "undone"
    batch.undone_at = utcnow()
    batch.undone_by_id = user.id
    db.session.flush()
    return counts

"""Present change-history rows for people: field labels, names instead of ids, local dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from crm.extensions import db
from crm.labels import label
from crm.models import ChangeLog, District, Organisation, Sector, User

REFERENCES = {
    "owner_id": User,
    "staff_id": User,
    "assignee_id": User,
    "created_by_id": User,
    "last_reviewed_by_id": User,
    "decided_by_id": User,
    "sector_id": Sector,
    "district_id": District,
    "organisation_id": Organisation,
    "company_id": Organisation,
    "association_id": Organisation,
}
ENUMS = {"kind": "kind", "size": "size", "gender": "gender", "status": "membership_status", "stage": "stage"}
ENUMS["confirmation"] = "membership_confirmation"
HIDDEN = {"id", "interaction_id", "follow_up_id"}


@dataclass
class HistoryEntry:
    """One change as the `history` macro shows it: {field label: [old, new]} in words."""

    at: Any
    user: User | None
    action: str
    changes: dict[str, list[str | None]]
    entity_label: str


def reference_ids(rows: list[ChangeLog]) -> dict[type, set[int]]:
    """Collect the ids each row refers to, per model."""
    wanted: dict[type, set[int]] = {}
    for row in rows:
        for field, pair in (row.changes or {}).items():
            if field in REFERENCES:
                wanted.setdefault(REFERENCES[field], set()).update(v for v in pair if isinstance(v, int))
    return wanted


def reference_names(rows: list[ChangeLog]) -> dict[tuple[type, int], str]:
    """Load the names of referenced records: one query per model, never per row."""
    names: dict[tuple[type, int], str] = {}
    for model, ids in reference_ids(rows).items():
        for record in db.session.scalars(select(model).where(model.id.in_(ids))):
            names[(model, record.id)] = display_name(record)
    return names


def display_name(record: Any) -> str:
    """Return how a referenced record is named in the history."""
    if isinstance(record, Sector):
        return record.code
    if isinstance(record, Organisation):
        return record.legal_name
    return record.name


def enum_group(entity_type: str, field: str) -> str | None:
    """Return the label group of an enumerated field."""
    if entity_type == "interaction" and field == "kind":
        return "interaction_kind"
    return ENUMS.get(field)


def show_value(row: ChangeLog, field: str, value: Any, names: dict) -> str | None:
    """Turn one stored value into words."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field in REFERENCES:
        return names.get((REFERENCES[field], value), f"#{value}")
    if group := enum_group(row.entity_type, field):
        return label(group, value)
    return show_date(field, value)


def show_date(field: str, value: Any) -> str:
    """Format stored ISO dates and times in the user's locale; other values as they are."""
    if not isinstance(value, str) or not field.endswith(("_on", "_at", "since")):
        return str(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    return format_date(parsed.date(), "medium") if len(value) == 10 else format_datetime(parsed, "short")


def describe(row: ChangeLog, names: dict) -> dict[str, list[str | None]]:
    """Return the row's changes keyed by field label, values in words."""
    return {
        label("field", field): [show_value(row, field, v, names) for v in pair]
        for field, pair in (row.changes or {}).items()
        if field not in HIDDEN
    }


def present(rows: list[ChangeLog]) -> list[HistoryEntry]:
    """Turn change_log rows into entries people can read."""
    names = reference_names(rows)
    return [
        HistoryEntry(r.at, r.user, r.action, describe(r, names), label("entity", r.entity_type)) for r in rows
    ]


__all__ = ["HistoryEntry", "present"]

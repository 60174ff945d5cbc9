"""Present change-history rows for people: field labels, names instead of ids, local dates and amounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from crm.extensions import db
from crm.labels import label
from crm.models import (
    Barrier,
    ChangeLog,
    Contact,
    District,
    Document,
    Event,
    Organisation,
    Programme,
    Sector,
    User,
)
from crm.web import locale

USERS = ("owner_id", "staff_id", "assignee_id", "created_by_id", "last_reviewed_by_id", "decided_by_id")
USERS += ("done_by_id", "requested_by_id", "referred_by_id", "uploaded_by_id", "by_id")
ORGANISATIONS = ("organisation_id", "company_id", "association_id", "source_association_id")
REFERENCES: dict[str, type] = {
    **dict.fromkeys(USERS, User),
    **dict.fromkeys(ORGANISATIONS, Organisation),
    "sector_id": Sector,
    "district_id": District,
    "programme_id": Programme,
    "signatory_id": Contact,
    "contact_id": Contact,
    "document_id": Document,
    "evidence_id": Document,
    "event_id": Event,
    "barrier_id": Barrier,
}
ENUMS = {"kind": "kind", "size": "size", "gender": "gender", "status": "membership_status", "stage": "stage"}
ENUMS |= {"confirmation": "membership_confirmation", "currency": "currency", "type": "event_type"}
ENUMS |= {"cofinance_type": "cofinance_type", "cofinancier_type": "cofinancier_type"}
ENUMS |= {"consent_source": "consent_source", "consent_scope": "consent_scope"}
ENUMS_BY_ENTITY = {
    ("interaction", "kind"): "interaction_kind",
    ("letter", "kind"): "letter_kind",
    ("letter", "status"): "letter_status",
    ("consultant", "status"): "consultant_status",
    ("indicator", "kind"): "indicator_kind",
    ("indicator", "aggregation"): "aggregation",
    ("indicator", "unit"): "indicator_unit",
}
NUMBERS = {"amount", "amount_usd", "exchange_rate", "target", "midterm_value", "value"}
NUMBERS |= {"electricity_mwh_year", "natural_gas_m3_year", "reduction_potential_tco2e"}
HIDDEN = {"id", "interaction_id", "follow_up_id", "version_id"}
# Fields a manager may restore from the history (crm/changes): plain record fields whose rules the restore
# checks again. Stages, letters and memberships change through their own workflows, never from here.
RESTORABLE = {
    "organisation": {"kind", "legal_name", "trade_name", "ruc", "sector_id", "size", "district_id"},
    "emissionprofile": {"electricity_mwh_year", "natural_gas_m3_year", "emits_upops"},
    "contact": {"first_name", "last_name", "position", "organisation_id", "email", "phone", "gender"},
    "interaction": {"kind", "occurred_on", "staff_id", "summary", "outcome", "next_step"},
    "followup": {"assignee_id", "due_on", "description"},
}
RESTORABLE["organisation"] |= {"website", "owner_id", "notes"}
RESTORABLE["emissionprofile"] |= {"reduction_potential_tco2e"}
# Consent to e-mail is never restored from the history: only the person can give it again (Ley 29733).
# Nor is `qualified_consultant`: it mirrors the consultants registry, which alone changes it.


def restorable_field(entity_type: str, name: str) -> bool:
    """Return whether the history may restore this field of this kind of record."""
    return name in RESTORABLE.get(entity_type, ())


@dataclass
class FieldChange:
    """One field of one change: its column, its label and the two values in words."""

    field: str
    label: str
    old: str | None
    new: str | None
    restorable: bool = False


@dataclass
class HistoryEntry:
    """One change as the `history` macro shows it: {field label: [old, new]} in words."""

    at: Any
    user: User | None
    action: str
    changes: dict[str, list[str | None]]
    entity_label: str
    id: int = 0
    entity_type: str = ""
    save_id: str | None = None
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def restorable(self) -> bool:
        """Return whether every field of this change may be restored."""
        return self.action == "update" and bool(self.fields) and all(f.restorable for f in self.fields)


@dataclass
class Save:
    """The changes one person saved at once (one transaction), newest first."""

    at: Any
    user: User | None
    save_id: str | None
    entries: list[HistoryEntry]

    @property
    def restorable(self) -> bool:
        """Return whether the whole save may be restored at once (it changed more than one field)."""
        fields = sum(len(e.fields) for e in self.entries)
        return self.save_id is not None and fields > 1 and all(e.restorable for e in self.entries)


def reference_ids(rows: list[ChangeLog]) -> dict[type, set[int]]:
    """Collect the ids each row refers to, per model."""
    wanted: dict[type, set[int]] = {}
    for row in rows:
        for name, pair in (row.changes or {}).items():
            if name in REFERENCES:
                wanted.setdefault(REFERENCES[name], set()).update(v for v in pair if isinstance(v, int))
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
    here = locale()
    namers = {
        Sector: lambda r: r.label(here),
        Programme: lambda r: r.name(here),
        Barrier: lambda r: r.reason(here),
        Organisation: lambda r: r.legal_name,
        Contact: lambda r: r.full_name,
        Document: lambda r: r.original_name,
        Event: lambda r: r.title,
    }
    namer = namers.get(type(record))
    return namer(record) if namer else record.name


def enum_group(entity_type: str, name: str) -> str | None:
    """Return the label group of an enumerated field."""
    return ENUMS_BY_ENTITY.get((entity_type, name)) or ENUMS.get(name)


def show_value(row: ChangeLog, name: str, value: Any, names: dict) -> str | None:
    """Turn one stored value into words."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name in REFERENCES:
        return names.get((REFERENCES[name], value), f"#{value}")
    if group := enum_group(row.entity_type, name):
        return label(group, value)
    if name in NUMBERS:
        return show_number(value)
    return show_date(name, value)


def show_number(value: Any) -> str:
    """Format a stored amount in the user's locale."""
    try:
        return format_decimal(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def show_date(name: str, value: Any) -> str:
    """Format stored ISO dates and times in the user's locale; other values as they are."""
    if not isinstance(value, str) or not name.endswith(("_on", "_at", "since")):
        return str(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    return format_date(parsed.date(), "medium") if len(value) == 10 else format_datetime(parsed, "short")


def field_changes(row: ChangeLog, names: dict) -> list[FieldChange]:
    """Return the row's changed fields with labels and values in words."""
    restorable = row.action == "update"
    return [
        FieldChange(
            name,
            label("field", name),
            *(show_value(row, name, v, names) for v in pair),
            restorable and restorable_field(row.entity_type, name),
        )
        for name, pair in (row.changes or {}).items()
        if name not in HIDDEN
    ]


def entry(row: ChangeLog, names: dict) -> HistoryEntry:
    """Turn one change_log row into an entry."""
    items = field_changes(row, names)
    changes = {item.label: [item.old, item.new] for item in items}
    what = label("entity", row.entity_type)
    where = (row.id, row.entity_type, row.save_id)
    return HistoryEntry(row.at, row.user, row.action, changes, what, *where, items)


class Entries(list):
    """History entries in order, which also know how they group into saves."""

    @property
    def saves(self) -> list[Save]:
        """Return the entries grouped per save."""
        return group_saves(self)


def present(rows: list[ChangeLog]) -> Entries:
    """Turn change_log rows into entries people can read."""
    names = reference_names(rows)
    return Entries(entry(r, names) for r in rows)


def same_save(save: Save, item: HistoryEntry) -> bool:
    """Return whether an entry belongs to the save being built (rows of imports have no save id)."""
    return item.save_id is not None and item.save_id == save.save_id


def group_saves(entries: list[HistoryEntry]) -> list[Save]:
    """Group consecutive entries written by one save, keeping their order."""
    saves: list[Save] = []
    for item in entries:
        if saves and same_save(saves[-1], item):
            saves[-1].entries.append(item)
        else:
            saves.append(Save(item.at, item.user, item.save_id, [item]))
    return saves


__all__ = ["Entries", "FieldChange", "HistoryEntry", "Save", "group_saves", "present"]

"""Attendance imports: choosing the event of a sign-in sheet, and what undoing such a batch removes."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, select

from crm.errors import UserError
from crm.extensions import db
from crm.imports.bulk import chunks
from crm.models import Attendance, Event, ImportBatch, User
from crm.models.imports import ImportKind
from crm.permissions import MAX_ID, can

CHOICES = 300  # the most recent events offered in the chooser (a linked event is always offered)


def event_id_of(raw: object) -> int | None:
    """Return the event id written in a form or a link, or None when it is not one."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def event_label(event: Event) -> str:
    """Return how an event is named in the chooser: its date, then its title."""
    return f"{format_date(event.held_on, 'short')} · {event.title}"


def event_choices(selected: object = None) -> list[tuple[str, str]]:
    """Return (id, label) of the most recent events, the selected one included, newest first."""
    query = select(Event).order_by(Event.held_on.desc(), Event.id.desc()).limit(CHOICES)
    found = list(db.session.scalars(query))
    wanted = event_id_of(selected)
    if wanted and all(e.id != wanted for e in found) and (extra := db.session.get(Event, wanted)):
        found.insert(0, extra)
    return [(str(e.id), event_label(e)) for e in found]


def chosen_event(user: User, kind: str, raw: object) -> int | None:
    """Return the event an attendance import records (None for other kinds), or raise UserError."""
    if kind != ImportKind.ATTENDANCE:
        return None
    if not can(user, "event.edit"):
        raise UserError(_("You may not record who attended events."), field="kind")
    ident = event_id_of(raw)
    if ident is None or db.session.get(Event, ident) is None:
        raise UserError(_("Choose the event whose sign-in sheet this is."), field="event")
    return ident


def created_attendances(batch: ImportBatch) -> frozenset[int]:
    """Return the ids of the attendance rows a finished attendance batch recorded."""
    ids = (batch.counts or {}).get("attendance_ids") or []
    return frozenset(i for i in ids if isinstance(i, int) and not isinstance(i, bool))


def remove_attendances(ids: frozenset[int]) -> int:
    """Delete exactly these attendance rows (those still there); return how many went."""
    removed = 0
    for part in chunks(sorted(ids)):
        removed += db.session.execute(delete(Attendance).where(Attendance.id.in_(part))).rowcount or 0
    return removed

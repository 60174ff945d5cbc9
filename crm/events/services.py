"""Events and trainings: create, change, delete, and the filtered list with its counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, delete, func, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import EVENT_TYPES, Attendance, Contact, Event, Programme, User
from crm.pagination import Page, count
from crm.training.services import offered_modules
from crm.web import to_id

YEARS = range(1990, 2101)  # a year filter outside this is ignored


@dataclass
class EventValues:
    """The editable fields of an event, as submitted."""

    title: str
    type: str
    held_on: date | None
    place: str | None = None
    online: bool = False
    programme_id: int | None = None
    gender_specific: bool = False
    training_module_id: int | None = None
    training_module: str | None = None
    notes: str | None = None


@dataclass
class EventFilters:
    """The list's filters, already made safe."""

    type: str | None = None
    programme: int | None = None
    year: int | None = None


def parse_filters(args: Mapping[str, str]) -> EventFilters:
    """Read the list's filters from the query string, ignoring odd values."""
    year = to_id(args.get("year"))
    return EventFilters(
        type=args.get("type") if args.get("type") in EVENT_TYPES else None,
        programme=to_id(args.get("programme")),
        year=year if year in YEARS else None,
    )


def filtered(query: Select, f: EventFilters) -> Select:
    """Narrow an event query by type, programme and year."""
    if f.type:
        query = query.where(Event.type == f.type)
    if f.programme:
        query = query.where(Event.programme_id == f.programme)
    if f.year:
        query = query.where(Event.held_on >= date(f.year, 1, 1), Event.held_on < date(f.year + 1, 1, 1))
    return query


def women() -> Any:
    """Return a SQL sum counting the attendances of women."""
    return func.coalesce(func.sum(case((Contact.gender == "female", 1), else_=0)), 0)


def attendance_counts() -> Any:
    """Return a subquery of each event's attendees and women among them (GROUP BY)."""
    query = select(
        Attendance.event_id.label("event_id"),
        func.count(Attendance.id).label("people"),
        women().label("women"),
    )
    return query.join(Contact, Contact.id == Attendance.contact_id).group_by(Attendance.event_id).subquery()


@dataclass
class EventRow:
    """One line of the list: the event, its attendees and women among them."""

    event: Event
    people: int
    women: int


def event_page(f: EventFilters, per_page: int, number: int) -> Page:
    """Return one page of events, newest first, with their counts."""
    counts = attendance_counts()
    query = select(Event, func.coalesce(counts.c.people, 0), func.coalesce(counts.c.women, 0))
    query = filtered(query.outerjoin(counts, counts.c.event_id == Event.id), f)
    query = query.order_by(Event.held_on.desc(), Event.id.desc())
    rows = db.session.execute(query.limit(per_page).offset((number - 1) * per_page))
    items = [EventRow(event, int(people), int(n)) for event, people, n in rows]
    return Page(items, count(filtered(select(Event.id), f)), number, per_page)


def totals(f: EventFilters) -> dict[str, int]:
    """Count the filtered events, attendances, distinct people and women attending, in one query."""
    query = select(
        func.count(func.distinct(Event.id)).label("events"),
        func.count(Attendance.id).label("attendances"),
        func.count(func.distinct(Attendance.contact_id)).label("people"),
        women().label("women"),
    ).select_from(Event)
    query = query.outerjoin(Attendance, Attendance.event_id == Event.id)
    query = query.outerjoin(Contact, Contact.id == Attendance.contact_id)
    row = db.session.execute(filtered(query, f)).one()
    return {key: int(row._mapping[key] or 0) for key in ("events", "attendances", "people", "women")}


def years() -> list[int]:
    """Return the years from the first to the last event, newest first."""
    first, last = db.session.execute(select(func.min(Event.held_on), func.max(Event.held_on))).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


def programmes(include_id: int | None = None) -> list[Programme]:
    """Return the active programmes, plus one already chosen even if inactive."""
    condition = Programme.active.is_(True)
    if include_id is not None:
        condition = condition | (Programme.id == include_id)
    return list(db.session.scalars(select(Programme).where(condition).order_by(Programme.code)))


def text(value: str | None) -> str | None:
    """Strip text and turn empty text into None."""
    return (value or "").strip() or None


def event_problems(values: EventValues, programme_ids: set[int], module_ids: set[int]) -> dict[str, str]:
    """Return what is wrong with an event, by form field."""
    problems = {}
    if not text(values.title):
        problems["title"] = _("Give the event a title.")
    if values.type not in EVENT_TYPES:
        problems["type"] = _("Choose the type of event.")
    if values.held_on is None:
        problems["held_on"] = _("Enter the date (YYYY-MM-DD).")
    if not values.online and not text(values.place):
        problems["place"] = _("Give the place, or mark the event as online.")
    if values.programme_id is not None and values.programme_id not in programme_ids:
        problems["programme_id"] = _("Choose one of the programmes.")
    if values.training_module_id is not None and values.training_module_id not in module_ids:
        problems["training_module_id"] = _("Choose one of the training modules.")
    return problems


def apply(event: Event, values: EventValues) -> None:
    """Copy the submitted values onto the event, with text stripped."""
    for f in fields(values):
        value = getattr(values, f.name)
        setattr(event, f.name, text(value) if isinstance(value, str) else value)
    event.title = event.title or ""


def save_event(user: User, event: Event | None, values: EventValues) -> Event:
    """Create the event (event None) or change it, or raise UserError."""
    allowed = {p.id for p in programmes(event.programme_id if event else None)}
    modules = {m.id for m in offered_modules(event.training_module_id if event else None)}
    problems = event_problems(values, allowed, modules)
    if problems:
        raise UserError(problems=problems)
    if event is None:
        event = Event(created_by_id=user.id)
        db.session.add(event)
    apply(event, values)
    db.session.flush()
    return event


def delete_event(event: Event) -> None:
    """Delete an event with its attendance rows (explicitly: SQLite does not cascade)."""
    db.session.execute(delete(Attendance).where(Attendance.event_id == event.id))
    db.session.delete(event)
    db.session.flush()

"""Events report: events by type, people reached (unique persons), share of women, gender-specific ones.

People reached counts distinct contacts who attended (a person at three events counts once, in
each type's row and once in the total). Share of women = women / attendees whose gender is
recorded (female, male or other; "not recorded" is left out of both). Filters: programme and
period (held_on); the company filters do not apply to events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from crm.extensions import db
from crm.labels import label
from crm.models import Attendance, Contact, Event
from crm.reports.filters import ReportFilters, in_period
from crm.reports.tables import Column, Report, Table, percent

RECORDED_GENDERS = ("female", "male", "other")
USED_FILTERS = ("programme", "period")


def measures() -> list[Any]:
    """Return the aggregates of one row: events, gender-specific, people, women, recorded gender."""
    person = Attendance.contact_id
    return [
        func.count(func.distinct(Event.id)),
        func.count(func.distinct(case((Event.gender_specific.is_(True), Event.id)))),
        func.count(func.distinct(person)),
        func.count(func.distinct(case((Contact.gender == "female", person)))),
        func.count(func.distinct(case((Contact.gender.in_(RECORDED_GENDERS), person)))),
    ]


def events_query(f: ReportFilters, *group: Any) -> Any:
    """Select the measures over events and their attendances, optionally grouped."""
    query = (
        select(*group, *measures())
        .select_from(Event)
        .outerjoin(Attendance, Attendance.event_id == Event.id)
        .outerjoin(Contact, Contact.id == Attendance.contact_id)
        .where(*in_period(Event.held_on, f))
    )
    if f.programme:
        query = query.where(Event.programme_id == f.programme)
    return query.group_by(*group).order_by(*group) if group else query


def row_values(events: int, gendered: int, people: int, women: int, recorded: int) -> list[Any]:
    """Return a row's figures with the share of women computed from its counts."""
    return [events, gendered, people, women, recorded, percent(women, recorded)]


def events_table(f: ReportFilters) -> Table:
    """Build the table by event type with a total row (distinct people over all events)."""
    rows = [
        [label("event_type", kind), *row_values(*values)]
        for kind, *values in db.session.execute(events_query(f, Event.type))
    ]
    total_values = db.session.execute(events_query(f)).one()
    columns = [
        Column("type", _("Type"), "text"),
        Column("events", _("Events")),
        Column("gender_specific", _("Gender-specific")),
        Column("people", _("People reached (unique)")),
        Column("women", _("Women")),
        Column("recorded", _("People with a recorded gender")),
        Column("women_pct", _("Share of women (%)"), "pct"),
    ]
    total = [_("Total"), *row_values(*total_values)] if rows else None
    return Table("events", _("Events and people reached"), columns, rows, total)


def build(f: ReportFilters, options: Mapping[str, str], locale: str, **_ignored: Any) -> Report:
    """Build the events report."""
    return Report("events", _("Events"), f, [events_table(f)])

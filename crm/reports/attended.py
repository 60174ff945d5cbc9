"""SQL shared by the reports that count people at events: the events report and the trainings per module.

People are distinct contacts who attended; the share of women is women / people whose gender is recorded
(female, male or other). Filters: programme and period (held_on); the company filters do not apply.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from crm.models import Attendance, Contact, Event
from crm.reports.filters import ReportFilters, in_period

RECORDED_GENDERS = ("female", "male", "other")


def people_measures() -> list[Any]:
    """Return the aggregates of people: attendees, women, attendees whose gender is recorded."""
    person = Attendance.contact_id
    return [
        func.count(func.distinct(person)),
        func.count(func.distinct(case((Contact.gender == "female", person)))),
        func.count(func.distinct(case((Contact.gender.in_(RECORDED_GENDERS), person)))),
    ]


def attended_query(f: ReportFilters, columns: list[Any], *group: Any, within: tuple | None = None) -> Any:
    """Select aggregates over events (joined to `within` if given) and their attendances, maybe grouped."""
    query = select(*group, *columns).select_from(Event)
    if within is not None:
        query = query.join(*within)
    query = (
        query.outerjoin(Attendance, Attendance.event_id == Event.id)
        .outerjoin(Contact, Contact.id == Attendance.contact_id)
        .where(*in_period(Event.held_on, f))
    )
    if f.programme:
        query = query.where(Event.programme_id == f.programme)
    return query.group_by(*group).order_by(*group) if group else query

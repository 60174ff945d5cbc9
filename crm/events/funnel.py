"""Invited → registered → attended, by gender, per event and across events (GROUP BY, never rows in Python).

Attendance alone counts for the indicators (crm/results); invitations and registrations show how well an
event was promoted and how many who registered came.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import GENDERS, Attendance, Contact, Invitation, Registration
from crm.pagination import Page, paginate

STEPS = {"invited": Invitation, "registered": Registration, "attended": Attendance}


def by_gender(model: Any, event_ids: Any) -> dict[str, int]:
    """Count one step's people by gender for the events (an id or a subquery of ids)."""
    condition = (
        model.event_id.in_(event_ids) if not isinstance(event_ids, int) else model.event_id == event_ids
    )
    query = select(Contact.gender, func.count(model.id)).join(model, model.contact_id == Contact.id)
    found = dict(db.session.execute(query.where(condition).group_by(Contact.gender)).all())
    return {gender: int(found.get(gender, 0)) for gender in GENDERS}


def event_funnel(event_id: int) -> dict[str, dict[str, int]]:
    """Return each step's counts by gender for one event (each with a 'total')."""
    funnel = {}
    for step, model in STEPS.items():
        counts = by_gender(model, event_id)
        funnel[step] = {**counts, "total": sum(counts.values())}
    return funnel


def reached(event_ids: Any) -> dict[str, int]:
    """Return the unique people who attended the events, by gender (each person once) and in total."""
    people = select(Attendance.contact_id).where(Attendance.event_id.in_(event_ids)).distinct().subquery()
    query = select(Contact.gender, func.count()).join(people, people.c.contact_id == Contact.id)
    found = dict(db.session.execute(query.group_by(Contact.gender)).all())
    counts = {gender: int(found.get(gender, 0)) for gender in GENDERS}
    return {**counts, "total": sum(counts.values())}


def registrations_page(event_id: int, per_page: int, number: int) -> Page:
    """Return one page of the event's registrations with their contacts, newest first."""
    query = select(Registration).where(Registration.event_id == event_id)
    return paginate(query.order_by(Registration.id.desc()), per_page, number)


def waiting_review(event_id: int) -> int:
    """Count the event's registrants whose contact the team has not checked yet."""
    query = select(func.count(Registration.id)).join(Contact, Contact.id == Registration.contact_id)
    return int(db.session.scalar(query.where(Registration.event_id == event_id, Contact.needs_review)) or 0)

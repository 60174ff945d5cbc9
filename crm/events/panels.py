"""The events section of the organisation page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Attendance, Contact, Event, Organisation, User
from crm.permissions import can

PANEL_LIMIT = 20


def org_panel(user: User, org: Organisation) -> dict[str, Any] | None:
    """Return the events people of this organisation attended, newest first (None for liaisons)."""
    if not can(user, "event.view"):
        return None
    per_event = (
        select(Attendance.event_id.label("event_id"), func.count(Attendance.id).label("people"))
        .join(Contact, Contact.id == Attendance.contact_id)
        .where(Contact.organisation_id == org.id)
        .group_by(Attendance.event_id)
        .subquery()
    )
    query = (
        select(Event, per_event.c.people)
        .join(per_event, per_event.c.event_id == Event.id)
        .order_by(Event.held_on.desc(), Event.id.desc())
        .limit(PANEL_LIMIT + 1)
    )
    rows = [(event, int(people)) for event, people in db.session.execute(query)]
    return {"events": rows[:PANEL_LIMIT], "more": len(rows) > PANEL_LIMIT}

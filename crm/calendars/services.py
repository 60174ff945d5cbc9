"""Build RFC 5545 calendars with the icalendar library: a user's follow-ups and events, or one event.

Follow-ups and events are whole days (a due date, the day an event is held) in the project's time zone,
America/Lima: they are written as all-day dates (VALUE=DATE), which every calendar shows on that day
wherever it is opened; the stamps (DTSTAMP, LAST-MODIFIED) are in UTC as the RFC asks.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy import func, or_, select

from crm.extensions import db
from crm.models import Attendance, Contact, Event, FollowUp, User, utcnow

PRODID = "-//PMU Decarbonisation//CRM//ES"
FEED_DAYS_BACK = 90


def new_calendar(name: str) -> Calendar:
    """Return an empty calendar with its name and time zone."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", current_app.config["TIMEZONE"])
    return calendar


def uid(kind: str, row_id: int) -> str:
    """Return a stable UID: the same record is the same calendar entry in every download."""
    host = current_app.config["BASE_URL"].split("//")[-1].split("/")[0] or "crm"
    return f"{kind}-{row_id}@{host}"


def all_day(summary: str, day, kind: str, row_id: int, link: str, updated) -> VEvent:
    """Return an all-day calendar entry."""
    entry = VEvent()
    entry.add("uid", uid(kind, row_id))
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", day)
    entry.add("dtend", day + timedelta(days=1))
    entry.add("summary", summary)
    entry.add("url", link)
    entry.add("transp", "TRANSPARENT")
    if updated is not None:
        entry.add("last-modified", updated)
    return entry


def event_entry(event: Event) -> VEvent:
    """Return an event as a calendar entry."""
    link = url_for("events.detail", event_id=event.id, _external=True)
    entry = all_day(event.title, event.held_on, "event", event.id, link, event.updated_at)
    if event.place:
        entry.add("location", event.place)
    return entry


def follow_up_entry(item: FollowUp) -> VEvent:
    """Return an open follow-up as a calendar entry on its due day."""
    link = url_for("interactions.follow_up_detail", follow_up_id=item.id, _external=True)
    summary = _("Follow-up: %(text)s (%(org)s)", text=item.description, org=item.organisation.legal_name)
    return all_day(summary, item.due_on, "follow-up", item.id, link, item.updated_at)


def event_calendar(event: Event) -> bytes:
    """Return one event as an .ics file."""
    calendar = new_calendar(event.title)
    calendar.add_component(event_entry(event))
    return calendar.to_ical()


def user_events(user: User) -> list[Event]:
    """Return the events the user organised or attended (a contact with their e-mail), recent or coming."""
    since = utcnow().date() - timedelta(days=FEED_DAYS_BACK)
    attended = (
        select(Attendance.event_id)
        .join(Contact, Contact.id == Attendance.contact_id)
        .where(func.lower(Contact.email) == user.email.lower())
    )
    query = select(Event).where(
        Event.held_on >= since, or_(Event.created_by_id == user.id, Event.id.in_(attended))
    )
    return list(db.session.scalars(query.order_by(Event.held_on)))


def user_follow_ups(user: User) -> list[FollowUp]:
    """Return the user's open follow-ups."""
    query = select(FollowUp).where(FollowUp.assignee_id == user.id, FollowUp.done_at.is_(None))
    return list(db.session.scalars(query.order_by(FollowUp.due_on).limit(2000)))


def feed(user: User) -> bytes:
    """Return the user's calendar feed: open follow-ups and the events they organise or attend."""
    calendar = new_calendar(_("CRM: %(name)s", name=user.name))
    for item in user_follow_ups(user):
        calendar.add_component(follow_up_entry(item))
    for event in user_events(user):
        calendar.add_component(event_entry(event))
    return calendar.to_ical()

"""Calendars: the personal feed and the event file are valid RFC 5545, parsed back, on Lima's days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from crm.extensions import db
from crm.mailcapture.services import current_token
from crm.models import Attendance, Event, FollowUp, utcnow


def parse(body: bytes) -> Calendar:
    """Parse a calendar file back, strictly (a broken file raises)."""
    return Calendar.from_ical(body)


def entries(calendar: Calendar) -> dict[str, object]:
    """Return the calendar's events by summary."""
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_lists_open_follow_ups_and_my_events_and_can_be_revoked(
    client, login, make_user, make_org, make_contact
):
    staff = make_user("staff", email="ana@pmu.pe")
    org = make_org("Fundición Callao SAC")
    lima_today = datetime.now(ZoneInfo("America/Lima")).date()
    db.session.add_all(
        [
            FollowUp(
                organisation_id=org.id, assignee_id=staff.id, due_on=lima_today, description="Llamar a José"
            ),
            FollowUp(
                organisation_id=org.id,
                assignee_id=staff.id,
                due_on=lima_today,
                description="Hecho",
                done_at=utcnow(),
            ),  # fmt: skip
            Event(
                title="Taller de calderas",
                type="workshop",
                held_on=lima_today + timedelta(days=3),
                place="Callao",
                created_by_id=staff.id,
            ),  # fmt: skip
            Event(title="Comité ajeno", type="other", held_on=lima_today),
        ]
    )
    attended = Event(title="Feria industrial", type="awareness", held_on=lima_today + timedelta(days=5))
    db.session.add(attended)
    db.session.flush()
    me_as_contact = make_contact(org, "Ana", "PMU", email="ANA@pmu.pe")
    db.session.add(Attendance(event_id=attended.id, contact_id=me_as_contact.id))
    db.session.commit()
    login(staff)
    client.post("/calendar/feed")
    url = f"/calendar/feed/{current_token(staff.id, 'calendar')}.ics"
    client.post("/auth/logout")

    response = client.get(url)  # a calendar app: no session

    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = parse(response.data)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["X-WR-TIMEZONE"]) == "America/Lima"
    found = entries(calendar)
    assert set(found) == {
        "Seguimiento: Llamar a José (Fundición Callao SAC)",
        "Taller de calderas",
        "Feria industrial",
    }
    call = found["Seguimiento: Llamar a José (Fundición Callao SAC)"]
    assert call.decoded("DTSTART") == lima_today and call.decoded("DTEND") == lima_today + timedelta(days=1)
    assert str(found["Taller de calderas"]["LOCATION"]) == "Callao"
    assert all(e["UID"] and e.decoded("DTSTAMP").tzinfo is not None for e in found.values())
    assert client.get(url).data.count(b"UID:") == 3  # stable entries, fetched again

    login(staff)
    client.post("/calendar/feed/revoke")
    assert client.get(url).status_code == 404


def test_every_event_downloads_as_an_ics_file(client, login, make_user):
    event = Event(
        title="Taller de eficiencia energética", type="training", held_on=date(2026, 3, 10), place="Lurín"
    )
    db.session.add(event)
    db.session.commit()
    login(make_user("viewer"))

    response = client.get(f"/calendar/events/{event.id}.ics")

    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    (entry,) = parse(response.data).walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Taller de eficiencia energética"
    assert entry.decoded("DTSTART") == date(2026, 3, 10) and str(entry["LOCATION"]) == "Lurín"
    assert client.get("/calendar/events/999999.ics").status_code == 404
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404

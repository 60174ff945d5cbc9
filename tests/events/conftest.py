"""Fixtures for the events tests."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Attendance, Event, Programme
from tests.mail.conftest import mail_server, work  # noqa: F401  (the real SMTP server, burst workers)


@pytest.fixture
def programme():
    """Return a seeded programme by code."""

    def get(code: str = "ZIS-CALLAO") -> Programme:
        return db.session.scalar(select(Programme).where(Programme.code == code))

    return get


@pytest.fixture
def make_event():
    """Create an event directly, with optional attendees."""

    def factory(title: str = "Taller de eficiencia energética", attendees=(), **fields) -> Event:
        event = Event(
            title=title,
            type=fields.pop("type", "training"),
            held_on=fields.pop("held_on", date(2025, 6, 10)),
            place=fields.pop("place", "Callao"),
            **fields,
        )
        db.session.add(event)
        db.session.flush()
        db.session.add_all(Attendance(event_id=event.id, contact_id=c.id) for c in attendees)
        db.session.commit()
        return event

    return factory

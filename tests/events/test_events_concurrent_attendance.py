"""Someone else puts the same person on the list between our check and our insert: said so, no 500."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select

from crm.extensions import db
from crm.models import Attendance, Contact

MESSAGE = "This person is already on the list. Nothing was changed."


@contextmanager
def added_elsewhere_first(event_id: int, contact_id: int) -> Iterator[None]:
    """Commit the same attendance on another connection just before the request inserts its own."""
    state = {"done": False}

    def race(conn, cursor, statement, parameters, context, executemany):
        if state["done"] or not statement.lstrip().upper().startswith("INSERT INTO ATTENDANCES"):
            return
        state["done"] = True
        with db.engine.begin() as other:
            other.execute(insert(Attendance).values(event_id=event_id, contact_id=contact_id))

    sa_event.listen(db.engine, "before_cursor_execute", race)
    try:
        yield
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", race)
    assert state["done"], "the request never inserted an attendance"


def rows(event_id: int) -> list[int]:
    """Return the contact ids on the event's list."""
    db.session.expire_all()
    query = select(Attendance.contact_id).where(Attendance.event_id == event_id)
    return list(db.session.scalars(query))


@pytest.fixture
def scene(en_user, make_org, make_contact, make_event):
    """A staff member, an event and one person who is not on its list yet."""
    org = make_org("Fundición Callao SAC")
    ana = make_contact(org, "Ana", "Pérez", gender="female", email="ana@fundicion.pe")
    return {"staff": en_user("staff"), "event": make_event(), "ana": ana}


def test_picking_a_person_added_by_someone_else_meanwhile_is_a_warning(client, login, scene):
    login(scene["staff"])
    event, ana = scene["event"], scene["ana"]
    with added_elsewhere_first(event.id, ana.id):
        response = client.post(f"/events/{event.id}/attendees", data={"contact_id": ana.id})
    assert response.status_code == 302
    assert rows(event.id) == [ana.id]
    assert MESSAGE in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_quick_adding_a_person_added_by_someone_else_meanwhile_is_a_warning(client, login, scene):
    login(scene["staff"])
    event, ana = scene["event"], scene["ana"]
    before = db.session.scalar(select(func.count()).select_from(Contact))
    person = {"first_name": "Ana", "last_name": "Pérez", "gender": "female", "email": "ana@fundicion.pe"}
    with added_elsewhere_first(event.id, ana.id):
        response = client.post(f"/events/{event.id}/people", data=person)
    assert response.status_code == 302
    assert rows(event.id) == [ana.id]
    assert db.session.scalar(select(func.count()).select_from(Contact)) == before
    assert MESSAGE in client.get(f"/events/{event.id}").get_data(as_text=True)

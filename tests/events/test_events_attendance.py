"""Attendance: picking contacts, quick-adding people, no double counting, counts by gender, removal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm.events.attendance import gender_counts
from crm.extensions import db
from crm.models import Attendance, Contact


@pytest.fixture
def scene(en_user, make_org, make_contact, make_event):
    """A staff member, an event, a company with three people and an association."""
    org = make_org("Fundición Callao SAC")
    return {
        "staff": en_user("staff"),
        "event": make_event(),
        "org": org,
        "assoc": make_org("Sociedad Nacional de Industrias", kind="association"),
        "ana": make_contact(org, "Ana", "Pérez", gender="female", email="ana@fundicion.pe"),
        "rosa": make_contact(org, "Rosa", "Quispe", gender="female"),
        "luis": make_contact(org, "Luis", "Torres", gender="male"),
    }


def attendances() -> list[tuple[int, int]]:
    """Return (event, contact) of every attendance row."""
    db.session.expire_all()
    rows = db.session.execute(select(Attendance.event_id, Attendance.contact_id).order_by(Attendance.id))
    return [tuple(row) for row in rows]


def contact_count() -> int:
    """Count contacts."""
    return db.session.scalar(select(func.count()).select_from(Contact))


def page_of(client, event, query: str = "") -> str:
    """Return the event page as text."""
    response = client.get(f"/events/{event.id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_finds_contacts_and_marks_those_already_there(client, login, scene):
    login(scene["staff"])
    event = scene["event"]
    db.session.add(Attendance(event_id=event.id, contact_id=scene["rosa"].id))
    db.session.commit()
    page = page_of(client, event, "?q=perez")  # accent-blind
    assert "Ana Pérez" in page and "Luis Torres" not in page
    assert f'name="contact_id" value="{scene["ana"].id}"' in page
    page = page_of(client, event, "?q=quispe")
    assert "Already on the list" in page and f'name="contact_id" value="{scene["rosa"].id}"' not in page
    assert "No contact matches" in page_of(client, event, "?q=zzz")
    assert page_of(client, event, "?q=%25_'")  # wildcards are searched literally, no error


def test_add_a_contact_once_only(client, login, scene):
    login(scene["staff"])
    event, ana = scene["event"], scene["ana"]
    response = client.post(f"/events/{event.id}/attendees", data={"contact_id": ana.id, "q": "ana"})
    assert response.status_code == 302 and "q=ana" in response.headers["Location"]
    assert attendances() == [(event.id, ana.id)]
    response = client.post(f"/events/{event.id}/attendees", data={"contact_id": ana.id})
    assert response.status_code == 302
    assert attendances() == [(event.id, ana.id)]
    page = page_of(client, event)
    assert "Ana Pérez is already on the list." in page
    assert "Pérez, Ana" in page and "Fundición Callao SAC" in page


@pytest.mark.parametrize("value", ["", "abc", "999999", str(2**40)])
def test_add_unknown_contact_changes_nothing(client, login, scene, value):
    login(scene["staff"])
    response = client.post(f"/events/{scene['event'].id}/attendees", data={"contact_id": value})
    assert response.status_code == 302
    assert attendances() == []
    assert "Choose a person from the search results." in page_of(client, scene["event"])


def test_database_refuses_a_second_row_for_the_same_person(scene):
    event, ana = scene["event"], scene["ana"]
    db.session.add(Attendance(event_id=event.id, contact_id=ana.id))
    db.session.commit()
    db.session.add(Attendance(event_id=event.id, contact_id=ana.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert attendances() == [(event.id, ana.id)]


def test_quick_add_creates_the_contact_and_the_attendance(client, login, scene):
    login(scene["staff"])
    event = scene["event"]
    before = contact_count()
    data = {
        "first_name": " Carmen ",
        "last_name": "Huamán",
        "organisation_id": scene["assoc"].id,
        "gender": "female",
        "email": "carmen@sni.pe",
    }
    response = client.post(f"/events/{event.id}/people", data=data)
    assert response.status_code == 302
    assert contact_count() == before + 1
    carmen = db.session.scalar(select(Contact).where(Contact.last_name == "Huamán"))
    assert (carmen.first_name, carmen.organisation_id, carmen.gender, carmen.email) == (
        "Carmen",
        scene["assoc"].id,
        "female",
        "carmen@sni.pe",
    )
    assert attendances() == [(event.id, carmen.id)]
    assert "Carmen Huamán added to the contacts and the list." in page_of(client, event)


def test_quick_add_without_organisation_or_email(client, login, scene):
    login(scene["staff"])
    data = {"first_name": "Jorge", "last_name": "Independiente", "organisation_id": "", "gender": "male"}
    assert client.post(f"/events/{scene['event'].id}/people", data=data).status_code == 302
    jorge = db.session.scalar(select(Contact).where(Contact.first_name == "Jorge"))
    assert jorge.organisation_id is None and jorge.email is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "Enter the first name."),
        ({"last_name": "  "}, "Enter the last name."),
        ({"gender": ""}, "Choose the gender"),
        ({"gender": "robot"}, "Choose the gender"),
        ({"organisation_id": "999999"}, "that organisation does not exist or is not yours to choose."),
        ({"email": "not-an-email"}, "Enter a valid e-mail address."),
        ({"first_name": "x" * 81}, "Field cannot be longer than 80 characters."),
    ],
)
def test_bad_quick_add_creates_nothing(client, login, scene, changes, message):
    login(scene["staff"])
    before = contact_count()
    data = {
        "first_name": "Carmen",
        "last_name": "Huamán",
        "organisation_id": "",
        "gender": "female",
        **changes,
    }
    response = client.post(f"/events/{scene['event'].id}/people", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert contact_count() == before and attendances() == []


def test_quick_add_of_someone_already_in_the_contacts_reuses_them(client, login, scene):
    login(scene["staff"])
    event = scene["event"]
    before = contact_count()
    same_email = {"first_name": "Anita", "last_name": "P.", "gender": "female", "email": "ANA@fundicion.pe"}
    assert client.post(f"/events/{event.id}/people", data=same_email).status_code == 302
    same_name = {
        "first_name": "luis",
        "last_name": "TORRES",
        "gender": "male",
        "organisation_id": scene["org"].id,
    }
    assert client.post(f"/events/{event.id}/people", data=same_name).status_code == 302
    assert contact_count() == before
    assert attendances() == [(event.id, scene["ana"].id), (event.id, scene["luis"].id)]
    assert "was already a contact and is now on the list." in page_of(client, event)
    # The same person again: said so, nothing changes.
    assert client.post(f"/events/{event.id}/people", data=same_email).status_code == 302
    assert contact_count() == before and len(attendances()) == 2
    assert "Ana Pérez is already on the list. Nothing was changed." in page_of(client, event)


def test_same_name_at_another_organisation_is_a_new_person(client, login, scene):
    login(scene["staff"])
    before = contact_count()
    data = {
        "first_name": "Luis",
        "last_name": "Torres",
        "gender": "male",
        "organisation_id": scene["assoc"].id,
    }
    assert client.post(f"/events/{scene['event'].id}/people", data=data).status_code == 302
    assert contact_count() == before + 1


def test_counts_by_gender_are_computed_in_sql(client, login, scene, make_contact):
    event = scene["event"]
    people = [scene["ana"], scene["rosa"], scene["luis"], make_contact(scene["org"], "Sam", "Sinregistro")]
    db.session.add_all(Attendance(event_id=event.id, contact_id=p.id) for p in people)
    db.session.commit()
    assert gender_counts(event.id) == {"female": 2, "male": 1, "other": 0, "not_recorded": 1}
    login(scene["staff"])
    page = page_of(client, event)
    block = page[page.index('id="genders"') :].split("</section>")[0]
    assert '<th scope="row">Female</th><td>0</td><td>0</td><td>2</td>' in block
    assert '<th scope="row">Male</th><td>0</td><td>0</td><td>1</td>' in block
    assert '<th scope="row">Not recorded</th><td>0</td><td>0</td><td>1</td>' in block
    assert '<th scope="row">Total</th><td>0</td><td>0</td><td>4</td>' in block
    assert "50 %" in block


def test_remove_an_attendee_keeps_the_contact(client, login, scene):
    event, ana = scene["event"], scene["ana"]
    row = Attendance(event_id=event.id, contact_id=ana.id)
    db.session.add(row)
    db.session.commit()
    row_id = row.id
    login(scene["staff"])
    response = client.post(f"/events/{event.id}/attendees/{row_id}/remove")
    assert response.status_code == 302
    assert attendances() == [] and db.session.get(Contact, ana.id) is not None
    assert "Ana Pérez removed from the list." in page_of(client, event)
    assert client.post(f"/events/{event.id}/attendees/{row_id}/remove").status_code == 302
    assert "This person is not on the list." in page_of(client, event)


def test_attendance_of_another_event_cannot_be_removed_through_this_one(client, login, scene, make_event):
    other = make_event("Otro evento")
    row = Attendance(event_id=other.id, contact_id=scene["ana"].id)
    db.session.add(row)
    db.session.commit()
    login(scene["staff"])
    client.post(f"/events/{scene['event'].id}/attendees/{row.id}/remove")
    assert attendances() == [(other.id, scene["ana"].id)]


def test_viewer_cannot_add_or_remove(client, login, en_user, scene):
    login(en_user("viewer"))
    event = scene["event"]
    assert (
        client.post(f"/events/{event.id}/attendees", data={"contact_id": scene["ana"].id}).status_code == 404
    )
    data = {"first_name": "X", "last_name": "Y", "gender": "male"}
    assert client.post(f"/events/{event.id}/people", data=data).status_code == 404
    assert attendances() == []


def test_attendee_list_is_paginated(client, login, scene, make_contact, app):
    event = scene["event"]
    size = app.config["PAGE_SIZE"]
    people = [make_contact(scene["org"], f"P{i:03}", f"Apellido{i:03}") for i in range(size + 2)]
    db.session.add_all(Attendance(event_id=event.id, contact_id=p.id) for p in people)
    db.session.commit()
    login(scene["staff"])
    first, second = page_of(client, event), page_of(client, event, "?apage=2")
    assert "Apellido000" in first and f"Apellido{size + 1:03}" not in first
    assert f"Apellido{size + 1:03}" in second
    assert f'<th scope="row">Total</th><td>0</td><td>0</td><td>{size + 2}</td>' in second

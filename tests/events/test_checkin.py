"""Check-in at the door: ticking arrivals once, undo, walk-ins, refusals, the JSON answers, the race."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select

from crm.events.checkin import counts
from crm.extensions import db
from crm.models import Attendance, Contact, Registration

JSON = {"Accept": "application/json"}
FETCH = {"X-Requested-With": "fetch"}


@pytest.fixture
def scene(en_user, make_org, make_contact, make_event):
    """A staff member, an event with three registered people, and another event with its own registrant."""
    org = make_org("Fundición Callao SAC")
    event, other = make_event(), make_event("Otro taller")
    people = {
        "ana": make_contact(org, "Ana", "Pérez", gender="female", email="ana@fundicion.pe"),
        "rosa": make_contact(None, "Rosa", "Quispe", gender="female"),
        "luis": make_contact(org, "Luis", "Torres", gender="male"),
        "olga": make_contact(org, "Olga", "Ramos", gender="female"),
    }
    for key in ("ana", "luis", "olga"):
        db.session.add(Registration(event_id=event.id, contact_id=people[key].id, source="public"))
    rosa = Registration(event_id=event.id, contact_id=people["rosa"].id, organisation_name="Cerámica Lima")
    db.session.add(rosa)
    other_person = make_contact(org, "Pedro", "Otro", gender="male")
    db.session.add(Registration(event_id=other.id, contact_id=other_person.id, source="public"))
    db.session.commit()
    return {
        "staff": en_user("staff"),
        "event": event,
        "other": other,
        "org": org,
        "pedro": other_person,
        **people,
    }


def rows(event_id: int) -> list[int]:
    """Return the contact ids on the event's attendance list."""
    db.session.expire_all()
    query = (
        select(Attendance.contact_id).where(Attendance.event_id == event_id).order_by(Attendance.contact_id)
    )
    return list(db.session.scalars(query))


def page_of(client, event, query: str = "") -> str:
    """Return the check-in page as text."""
    response = client.get(f"/events/{event.id}/checkin{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def tick(client, event, contact_id, headers=None, **form):
    """Send a tick for the contact."""
    return client.post(f"/events/{event.id}/checkin/{contact_id}", data=form, headers=headers or {})


def test_the_page_lists_the_registered_with_counters(client, login, scene):
    login(scene["staff"])
    db.session.add(Attendance(event_id=scene["event"].id, contact_id=scene["luis"].id))
    db.session.commit()
    page = page_of(client, scene["event"])
    assert "Pérez, Ana" in page and "Quispe, Rosa" in page and "Otro, Pedro" not in page
    assert "Cerámica Lima" in page and "Fundición Callao SAC" in page
    assert '<strong data-count="arrived">1</strong> of <span data-count="registered">4</span>' in page
    assert page.count('data-tick="in" hidden') == 1  # Luis shows the undo, not the button
    assert "/static/js/checkin.js" in page and "<script>" not in page and " onclick=" not in page  # CSP


@pytest.mark.parametrize(
    ("term", "found", "missing"),
    [
        ("perez", "Pérez, Ana", "Quispe, Rosa"),  # accent-blind, by name
        ("ANA@fundicion", "Pérez, Ana", "Torres, Luis"),  # by e-mail
        ("fundicion", "Torres, Luis", "Quispe, Rosa"),  # by the contact's organisation
        ("ceramica", "Quispe, Rosa", "Pérez, Ana"),  # by the organisation typed at registration
    ],
)
def test_search_by_name_email_or_organisation(client, login, scene, term, found, missing):
    login(scene["staff"])
    page = page_of(client, scene["event"], f"?q={term}")
    assert found in page and missing not in page


def test_search_with_wildcards_and_nothing_found(client, login, scene):
    login(scene["staff"])
    assert "Nobody registered matches “zzz”." in page_of(client, scene["event"], "?q=zzz")
    assert "Nobody registered matches" in page_of(client, scene["event"], "?q=%25_'")


def test_pending_shows_only_those_not_arrived(client, login, scene):
    login(scene["staff"])
    db.session.add(Attendance(event_id=scene["event"].id, contact_id=scene["ana"].id))
    db.session.commit()
    page = page_of(client, scene["event"], "?pending=1")
    assert "Pérez, Ana" not in page and "Torres, Luis" in page


def test_tick_records_the_arrival_and_keeps_the_search(client, login, scene):
    login(scene["staff"])
    event, ana = scene["event"], scene["ana"]
    response = tick(client, event, ana.id, q="ana", page="1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}/checkin?q=ana#person-{ana.id}")
    assert rows(event.id) == [ana.id]
    assert "Ana Pérez arrived." in page_of(client, event)


def test_double_tick_and_retries_count_once(client, login, scene):
    login(scene["staff"])
    event, ana = scene["event"], scene["ana"]
    assert tick(client, event, ana.id).status_code == 302
    assert tick(client, event, ana.id).status_code == 302
    assert "Ana Pérez had already arrived. Nothing was changed." in page_of(client, event)
    first = tick(client, event, scene["luis"].id, FETCH).get_json()
    again = tick(client, event, scene["luis"].id, FETCH).get_json()  # the script's retry
    assert (first["already"], again["already"]) == (False, True)
    assert first["present"] == again["present"] == 2
    assert rows(event.id) == sorted([ana.id, scene["luis"].id])
    assert counts(event.id) == type(counts(event.id))(arrived=2, registered=4, present=2)


def test_json_answer_of_a_tick(client, login, scene):
    login(scene["staff"])
    event = scene["event"]
    db.session.add(Attendance(event_id=event.id, contact_id=scene["pedro"].id))  # present, not registered
    db.session.commit()
    response = tick(client, event, scene["rosa"].id, JSON)
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["ok"] is True and body["attended"] is True and body["already"] is False
    assert (body["present"], body["registered"], body["total"]) == (1, 4, 2)
    assert body["present_text"] == "1" and body["message"] == "Rosa Quispe arrived."


def test_undo_takes_back_the_arrival_only(client, login, scene):
    login(scene["staff"])
    event, ana = scene["event"], scene["ana"]
    tick(client, event, ana.id)
    tick(client, event, scene["luis"].id)
    response = client.post(f"/events/{event.id}/checkin/{ana.id}/undo", data={"q": "p"})
    assert response.status_code == 302 and "q=p" in response.headers["Location"]
    assert rows(event.id) == [scene["luis"].id]
    assert "Ana Pérez is no longer marked as arrived." in page_of(client, event)
    body = client.post(f"/events/{event.id}/checkin/{ana.id}/undo", headers=JSON).get_json()
    assert body["ok"] and body["attended"] is False and body["already"] is True and body["present"] == 1
    assert rows(event.id) == [scene["luis"].id]
    registered = select(func.count()).select_from(Registration).where(Registration.event_id == event.id)
    assert db.session.scalar(registered) == 4  # the registrations stay


@pytest.mark.parametrize("who", ["pedro", "olga_elsewhere", "0", "abc", "-1", str(2**40), "99999"])
def test_someone_not_registered_here_changes_nothing(client, login, scene, who):
    login(scene["staff"])
    event = scene["event"]
    contact_id = scene["pedro"].id if who == "pedro" else who
    if who == "olga_elsewhere":  # registered here, but ticked on the other event
        event, contact_id = scene["other"], scene["olga"].id
    for path in (f"/events/{event.id}/checkin/{contact_id}", f"/events/{event.id}/checkin/{contact_id}/undo"):
        response = client.post(path, data={"q": "x"})
        assert response.status_code == 302 and "q=x" in response.headers["Location"]
        assert "This person is not registered for this event. Nothing was changed." in page_of(client, event)
        response = client.post(path, headers=JSON)
        assert response.status_code == 422
        assert response.get_json() == {
            "ok": False,
            "error": "This person is not registered for this event. Nothing was changed.",
        }
    assert rows(scene["event"].id) == [] and rows(scene["other"].id) == []


def test_unknown_event_is_404(client, login, scene):
    login(scene["staff"])
    assert client.get("/events/999999/checkin").status_code == 404
    assert client.post(f"/events/999999/checkin/{scene['ana'].id}").status_code == 404
    assert rows(scene["event"].id) == []


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_readers_cannot_check_in(client, login, scene, en_user, role):
    login(en_user(role))
    event, ana = scene["event"], scene["ana"]
    assert client.get(f"/events/{event.id}/checkin").status_code == 404
    assert tick(client, event, ana.id).status_code == 404
    assert tick(client, event, ana.id, JSON).status_code == 404
    assert client.post(f"/events/{event.id}/checkin/{ana.id}/undo").status_code == 404
    walk = {"first_name": "X", "last_name": "Y", "gender": "male"}
    assert client.post(f"/events/{event.id}/checkin/walk-in", data=walk).status_code == 404
    assert rows(event.id) == []


def walk_in(client, event, **changes):
    """Post the walk-in form."""
    data = {"first_name": "Carmen", "last_name": "Huamán", "organisation_name": "", "gender": "female"}
    return client.post(f"/events/{event.id}/checkin/walk-in", data={**data, **changes})


def registration_of(event_id: int, contact_id: int) -> Registration | None:
    """Return the contact's registration for the event."""
    db.session.expire_all()
    query = select(Registration).where(
        Registration.event_id == event_id, Registration.contact_id == contact_id
    )
    return db.session.scalar(query)


def test_walk_in_creates_contact_registration_and_attendance(client, login, scene):
    login(scene["staff"])
    event = scene["event"]
    response = walk_in(client, event, organisation_name="Textiles Ventanilla", email="carmen@tv.pe")
    assert response.status_code == 302
    carmen = db.session.scalar(select(Contact).where(Contact.last_name == "Huamán"))
    assert response.headers["Location"].endswith(f"checkin?q=Carmen+Huam%C3%A1n#person-{carmen.id}")
    assert (carmen.gender, carmen.email, carmen.organisation_id) == ("female", "carmen@tv.pe", None)
    registration = registration_of(event.id, carmen.id)
    assert (registration.source, registration.organisation_name) == ("team", "Textiles Ventanilla")
    assert carmen.id in rows(event.id)
    page = page_of(client, event, "?q=Carmen+Huam%C3%A1n")
    assert "Carmen Huamán added to the contacts, registered and marked as arrived." in page
    assert "Huamán, Carmen" in page and "Textiles Ventanilla" in page
    assert '<strong data-count="arrived">1</strong> of <span data-count="registered">5</span>' in page


def test_walk_in_links_an_organisation_typed_exactly(client, login, scene):
    login(scene["staff"])
    assert walk_in(client, scene["event"], organisation_name="fundicion callao sac").status_code == 302
    carmen = db.session.scalar(select(Contact).where(Contact.last_name == "Huamán"))
    assert carmen.organisation_id == scene["org"].id


def test_walk_in_reuses_a_contact_by_email(client, login, scene):
    login(scene["staff"])
    event, olga = scene["event"], scene["olga"]
    db.session.execute(Registration.__table__.delete().where(Registration.contact_id == olga.id))
    olga.email = "olga@fundicion.pe"
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Contact))
    response = walk_in(client, event, first_name="Olguita", last_name="R.", email="OLGA@fundicion.pe")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Contact)) == before
    assert registration_of(event.id, olga.id).source == "team"
    assert rows(event.id) == [olga.id]
    assert "Olga Ramos was already a contact: registered and marked as arrived." in page_of(client, event)


def test_walk_in_of_someone_registered_keeps_the_registration(client, login, scene):
    login(scene["staff"])
    event, ana = scene["event"], scene["ana"]
    assert walk_in(client, event, email="ana@fundicion.pe").status_code == 302
    assert registration_of(event.id, ana.id).source == "public" and rows(event.id) == [ana.id]
    assert walk_in(client, event, email="ana@fundicion.pe").status_code == 302  # again: said, nothing added
    assert rows(event.id) == [ana.id]
    assert "Ana Pérez had already arrived. Nothing was changed." in page_of(client, event)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "Enter the first name."),
        ({"gender": ""}, "Choose the gender"),
        ({"gender": "robot"}, "Choose the gender"),
        ({"email": "not-an-email"}, "Enter a valid e-mail address."),
        ({"organisation_name": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_walk_in_creates_nothing(client, login, scene, changes, message):
    login(scene["staff"])
    before = db.session.scalar(select(func.count()).select_from(Contact))
    response = walk_in(client, scene["event"], **changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Contact)) == before
    assert rows(scene["event"].id) == []


def test_tick_raced_by_another_tick_counts_once(client, login, scene):
    """The same person ticked on another phone between our check and our insert: one row, no 500."""
    login(scene["staff"])
    event, ana = scene["event"], scene["ana"]
    state = {"done": False}

    def race(conn, cursor, statement, parameters, context, executemany):
        if state["done"] or not statement.lstrip().upper().startswith("INSERT INTO ATTENDANCES"):
            return
        state["done"] = True
        with db.engine.begin() as other:
            other.execute(insert(Attendance).values(event_id=event.id, contact_id=ana.id))

    sa_event.listen(db.engine, "before_cursor_execute", race)
    try:
        response = tick(client, event, ana.id, JSON)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", race)
    assert state["done"]
    assert response.status_code == 200
    assert response.get_json()["already"] is True and response.get_json()["present"] == 1
    assert rows(event.id) == [ana.id]

"""Events: create, edit, delete, the filtered list with its counts, and who may do what."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Attendance, Contact, Event


def event_count() -> int:
    """Count events."""
    return db.session.scalar(select(func.count()).select_from(Event))


def totals(page: str) -> dict[str, str]:
    """Read the total cards of the event list: heading -> number."""
    block = page[page.index('id="totals"') :].split("</div>")[0]
    found = re.findall(r'<h2>([^<]+)</h2>\s*<p class="big">([^<]+)</p>', block)
    return dict(found)


def valid(**changes) -> dict:
    """Return a valid event submission with some fields changed."""
    data = {
        "title": "Taller de eficiencia energética",
        "type": "training",
        "held_on": "2025-06-10",
        "place": "Cámara de Comercio del Callao",
        "training_module": "Módulo 1: gestión de la energía",
        "notes": "Con apoyo de la SNI",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_creates_an_event_with_every_field(client, login, en_user, programme):
    user = login(en_user("staff"))
    zis = programme()
    data = valid(programme_id=zis.id, gender_specific="y", online="y")
    response = client.post("/events/new", data=data)
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert (event.title, event.type, event.held_on) == (
        "Taller de eficiencia energética",
        "training",
        date(2025, 6, 10),
    )
    assert event.place == "Cámara de Comercio del Callao" and event.online and event.gender_specific
    assert event.programme_id == zis.id and event.training_module == "Módulo 1: gestión de la energía"
    assert event.created_by_id == user.id
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert (
        "Event saved." in page
        and "Gender-specific" in page
        and "Sustainable industrial zone of Callao" in page
    )


def test_online_event_needs_no_place(client, login, en_user):
    login(en_user("staff"))
    assert client.post("/events/new", data=valid(place="", online="y", type="awareness")).status_code == 302
    assert db.session.scalar(select(Event.online)) is True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Give the event a title."),
        ({"type": "party"}, "Choose the type of event."),
        ({"held_on": ""}, "Enter the date (YYYY-MM-DD)."),
        ({"held_on": "10/06/2025"}, "Not a valid date value."),
        ({"place": ""}, "Give the place, or mark the event as online."),
        ({"programme_id": "999999"}, "Choose one of the programmes."),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_event_is_refused_and_nothing_saved(client, login, en_user, changes, message):
    login(en_user("staff"))
    response = client.post("/events/new", data=valid(**changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert event_count() == 0


def test_edit_changes_the_event(client, login, en_user, make_event):
    event = make_event()
    login(en_user("manager"))
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="Taller de eficiencia energética"' in form
    response = client.post(f"/events/{event.id}/edit", data=valid(title="Taller 2", type="workshop"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Event, event.id).title, db.session.get(Event, event.id).type) == (
        "Taller 2",
        "workshop",
    )
    response = client.post(f"/events/{event.id}/edit", data=valid(place="", online=None))
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Event, event.id).place == "Cámara de Comercio del Callao"


def test_delete_removes_the_list_but_keeps_the_people(
    client, login, en_user, make_org, make_contact, make_event
):
    ana = make_contact(make_org("Fundición Callao SAC"), "Ana", "Pérez", gender="female")
    event = make_event(attendees=[ana])
    login(en_user("staff"))
    response = client.post(f"/events/{event.id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/events/")
    assert event_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    assert db.session.get(Contact, ana.id) is not None


def test_viewer_reads_but_changes_nothing(client, login, en_user, make_event):
    event = make_event()
    login(en_user("viewer"))
    assert client.get("/events/").status_code == 200
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Taller de eficiencia energética" in page
    assert "/edit" not in page and "Add a new person" not in page
    assert client.get("/events/new").status_code == 404
    assert client.post("/events/new", data=valid()).status_code == 404
    assert client.post(f"/events/{event.id}/edit", data=valid(title="X")).status_code == 404
    assert client.post(f"/events/{event.id}/delete").status_code == 404
    assert event_count() == 1


def test_liaison_sees_no_events(client, login, liaison_world, make_event):
    event = make_event()
    login(liaison_world.liaison)
    for url in ("/events/", f"/events/{event.id}", "/events/new"):
        assert client.get(url).status_code == 404
    assert client.post(f"/events/{event.id}/delete").status_code == 404
    assert event_count() == 1


def test_unknown_and_huge_ids_are_404(client, login, en_user):
    login(en_user("staff"))
    for url in ("/events/999999", f"/events/{2**40}", "/events/999999/edit"):
        assert client.get(url).status_code == 404
    assert client.post(f"/events/{2**40}/attendees/{2**40}/remove").status_code == 404


@pytest.fixture
def calendar(make_org, make_contact, make_event, programme):
    """Events of two years, types and programmes, with women and men attending."""
    org = make_org("Fundición Callao SAC")
    people = [
        make_contact(org, "Ana", "Pérez", gender="female"),
        make_contact(org, "Rosa", "Quispe", gender="female"),
        make_contact(org, "Luis", "Torres", gender="male"),
    ]
    zis, pei = programme("ZIS-CALLAO"), programme("PEI")
    return {
        "awareness": make_event(
            "Charla de sensibilización",
            people,
            type="awareness",
            held_on=date(2024, 3, 1),
            programme_id=zis.id,
        ),
        "training": make_event(
            "Curso de calderas", people[1:], held_on=date(2025, 5, 2), programme_id=pei.id
        ),
        "empty": make_event("Comité directivo", type="steering_committee", held_on=date(2025, 9, 9)),
    }


def test_list_shows_counts_per_event_and_totals(client, login, en_user, calendar):
    login(en_user("staff"))
    page = client.get("/events/").get_data(as_text=True)
    assert (
        page.index("Comité directivo")
        < page.index("Curso de calderas")
        < page.index("Charla de sensibilización")
    )
    row = page[page.index("Charla de sensibilización") :].split("</tr>")[0]
    assert "<td>3</td>" in row and "<td>2</td>" in row
    # 3 events, 5 attendances, 3 distinct people, 3 attendances by women (60 %).
    assert totals(page) == {"Events": "3", "Attendances": "5", "People reached": "3", "Women attending": "3"}
    assert "60% of attendances" in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("type=awareness", {"Charla de sensibilización"}),
        ("type=steering_committee", {"Comité directivo"}),
        ("year=2025", {"Curso de calderas", "Comité directivo"}),
        ("year=2024&type=training", set()),
        (
            "type=bogus&year=abc&programme=x",
            {"Charla de sensibilización", "Curso de calderas", "Comité directivo"},
        ),
    ],
)
def test_list_filters_by_type_and_year(client, login, en_user, calendar, query, shown):
    login(en_user("staff"))
    page = client.get(f"/events/?{query}").get_data(as_text=True)
    titles = {"Charla de sensibilización", "Curso de calderas", "Comité directivo"}
    assert {t for t in titles if f">{t}</a>" in page} == shown


def test_list_filters_by_programme(client, login, en_user, calendar, programme):
    login(en_user("staff"))
    page = client.get(f"/events/?programme={programme('PEI').id}").get_data(as_text=True)
    assert ">Curso de calderas</a>" in page and ">Charla de sensibilización</a>" not in page
    # Curso de calderas: Rosa and Luis.
    assert totals(page) == {"Events": "1", "Attendances": "2", "People reached": "2", "Women attending": "1"}

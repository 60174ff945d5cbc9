"""The organisation field of the contact, follow-up and event quick-add forms: chosen by search, never a list.

Each form offers a search (posted with the form, so what was typed stays) whose best matches in the user's
scope become radio buttons; the posted id is re-checked through that scope. Opened from an organisation,
the form shows its name; editing shows the current one. No page reads or shows every organisation.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from crm.clock import today
from crm.contacts.forms import ContactForm
from crm.extensions import db
from crm.models import Contact, Event, FollowUp, Organisation
from crm.ruc import make_ruc
from tests.test_query_counts import counted

REFUSED = "that organisation does not exist or is not yours to choose."


def offered(page: str) -> list[int]:
    """Return the organisation ids a page offers as radio buttons."""
    return [
        int(n)
        for n in re.findall(
            r'type="radio" id="organisation_id-\d+" name="organisation_id" value="(\d+)"', page
        )
    ]


def checked(page: str) -> list[str]:
    """Return the values of the checked organisation radio buttons."""
    return re.findall(r'name="organisation_id" value="(\d*)" checked', page)


def count(model) -> int:
    """Count the rows of a model."""
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def orgs(make_org):
    """A few organisations to search among (one with a RUC and a trade name)."""
    return {
        "acero": make_org("Aceros del Callao SAC", ruc=make_ruc("20", "10004721"), trade_name="AceCal"),
        "acero2": make_org("Aceros Lurín SAC"),
        "cemento": make_org("Cementos Lima SAA"),
    }


@pytest.fixture
def event():
    """An event whose page holds the quick-add form."""
    held = Event(title="Taller de hornos", type="training", held_on=today(), place="Callao")
    db.session.add(held)
    db.session.commit()
    return held


def contact_data(**changes) -> dict:
    """Return a new contact submission."""
    return {
        "first_name": "Lucía",
        "last_name": "Huamán",
        "gender": "female",
        "organisation_id": "",
        **changes,
    }


def follow_up_data(**changes) -> dict:
    """Return a new follow-up submission for oneself (assignee filled in by the test)."""
    due = (today() + timedelta(days=3)).isoformat()
    return {"description": "Enviar la propuesta", "due_on": due, "organisation_id": "", **changes}


def test_contact_form_searches_without_script_keeps_what_was_typed_then_saves_the_choice(
    client, login, en_user, orgs
):
    login(en_user("staff"))
    blank = client.get("/contacts/new").get_data(as_text=True)
    assert 'name="organisation_id_q"' in blank and offered(blank) == []
    assert checked(blank) == [""]  # an independent contact until one is chosen
    assert blank.count('name="organisation_id"') == 1  # no hidden blank id posted beside the radio buttons

    found = client.post(
        "/contacts/new", data=contact_data(organisation_id_q="aceros", organisation_id_find="1")
    )
    page = found.get_data(as_text=True)
    assert found.status_code == 200 and count(Contact) == 0  # a search step saves nothing
    assert sorted(offered(page)) == sorted([orgs["acero"].id, orgs["acero2"].id])
    assert 'value="Lucía"' in page and "Matches for “aceros”" in page

    by_ruc = client.post("/contacts/new", data=contact_data(organisation_id_q=orgs["acero"].ruc)).get_data(
        True
    )
    assert offered(by_ruc) == [orgs["acero"].id] and checked(by_ruc) == [str(orgs["acero"].id)]
    by_trade_name = client.post("/contacts/new", data=contact_data(organisation_id_q="acecal")).get_data(True)
    assert offered(by_trade_name) == [orgs["acero"].id]
    nothing = client.post("/contacts/new", data=contact_data(organisation_id_q="zzz")).get_data(True)
    assert offered(nothing) == [] and "No organisation matches “zzz”" in nothing and count(Contact) == 0

    saved = client.post("/contacts/new", data=contact_data(organisation_id=orgs["acero2"].id))
    assert saved.status_code == 302
    assert db.session.scalar(select(Contact.organisation_id)) == orgs["acero2"].id


def test_search_button_with_nothing_typed_asks_for_words(client, login, en_user, orgs):
    login(en_user("staff"))
    page = client.post("/contacts/new", data=contact_data(organisation_id_find="1"))
    assert page.status_code == 200 and count(Contact) == 0
    assert "Type part of the name, trade name or RUC, then search." in page.get_data(as_text=True)


@pytest.mark.parametrize("raw", ["999999", "abc", str(2**40)])
def test_unknown_ids_are_refused_and_nothing_is_written(client, login, en_user, orgs, event, raw):
    user = login(en_user("staff"))
    contact = client.post("/contacts/new", data=contact_data(organisation_id=raw))
    assert contact.status_code == 400 and REFUSED in contact.get_data(as_text=True)
    task = client.post(
        "/interactions/follow-ups/new", data=follow_up_data(organisation_id=raw, assignee_id=user.id)
    )
    assert task.status_code == 400 and REFUSED in task.get_data(as_text=True)
    person = client.post(f"/events/{event.id}/people", data=contact_data(organisation_id=raw))
    assert person.status_code == 400 and REFUSED in person.get_data(as_text=True)
    assert count(Contact) == 0 and count(FollowUp) == 0


def test_refusal_is_in_spanish_for_spanish_users(client, login, make_user, orgs):
    login(make_user("staff"))
    page = client.post("/contacts/new", data=contact_data(organisation_id="999999")).get_data(as_text=True)
    assert "Elija entre los resultados de la búsqueda" in page and count(Contact) == 0


def test_editing_shows_the_current_organisation_and_a_refused_change_changes_nothing(
    client, login, en_user, orgs, make_contact
):
    login(en_user("staff"))
    contact = make_contact(orgs["cemento"], "Ana", "Pérez")
    url = f"/contacts/{contact.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert offered(page) == [orgs["cemento"].id] and checked(page) == [str(orgs["cemento"].id)]
    assert page.count('name="organisation_id"') == 2  # the current one and "none", nothing hidden
    assert "Cementos Lima SAA" in page and "Search for another organisation" in page
    data = contact_data(first_name="Ana", last_name="Pérez", version="1")

    search = client.post(
        url, data={**data, "organisation_id": orgs["cemento"].id, "organisation_id_q": "aceros"}
    )
    shown = search.get_data(as_text=True)
    assert search.status_code == 200  # the current one stays checked beside the matches
    assert offered(shown) == [orgs["cemento"].id, orgs["acero"].id, orgs["acero2"].id]
    assert checked(shown) == [str(orgs["cemento"].id)]

    refused = client.post(url, data={**data, "organisation_id": "999999"})
    assert refused.status_code == 400 and REFUSED in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).organisation_id == orgs["cemento"].id

    assert client.post(url, data={**data, "organisation_id": orgs["acero"].id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).organisation_id == orgs["acero"].id
    client.post(url, data={**data, "version": "2"})  # "none" checked: an independent contact again
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).organisation_id is None


def test_follow_up_form_searches_then_requires_and_saves_the_choice(client, login, en_user, orgs):
    user = login(en_user("staff"))
    data = follow_up_data(assignee_id=user.id)
    page = client.post("/interactions/follow-ups/new", data={**data, "organisation_id_q": "cementos"})
    assert page.status_code == 200 and count(FollowUp) == 0
    assert offered(page.get_data(as_text=True)) == [orgs["cemento"].id]
    assert 'value="Enviar la propuesta"' in page.get_data(as_text=True)
    missing = client.post("/interactions/follow-ups/new", data=data)
    assert missing.status_code == 400 and "Choose the organisation" in missing.get_data(as_text=True)
    saved = client.post("/interactions/follow-ups/new", data={**data, "organisation_id": orgs["cemento"].id})
    assert saved.status_code == 302
    assert db.session.scalar(select(FollowUp.organisation_id)) == orgs["cemento"].id


def test_opened_from_an_organisation_the_form_shows_its_name_and_keeps_it(client, login, en_user, orgs):
    user = login(en_user("staff"))
    url = f"/interactions/follow-ups/new?organisation_id={orgs['acero'].id}"
    page = client.get(url).get_data(as_text=True)
    assert "Aceros del Callao SAC" in page and 'name="organisation_id_q"' not in page and offered(page) == []
    # The page's organisation is the one saved, whatever id a crafted form posts.
    sent = follow_up_data(assignee_id=user.id, organisation_id=orgs["cemento"].id, organisation_id_q="x")
    assert client.post(url, data=sent).status_code == 302
    assert db.session.scalar(select(FollowUp.organisation_id)) == orgs["acero"].id


def test_event_quick_add_searches_then_adds_the_person_at_the_chosen_organisation(
    client, login, en_user, orgs, event
):
    login(en_user("staff"))
    url = f"/events/{event.id}/people"
    step = client.post(url, data=contact_data(organisation_id_q="lurin"))
    page = step.get_data(as_text=True)
    assert step.status_code == 200 and count(Contact) == 0
    assert offered(page) == [orgs["acero2"].id] and 'value="Huamán"' in page
    assert client.post(url, data=contact_data(organisation_id=orgs["acero2"].id)).status_code == 302
    assert db.session.scalar(select(Contact.organisation_id)) == orgs["acero2"].id


def test_the_field_resolves_ids_and_searches_in_the_users_scope(app, liaison_world):
    w = liaison_world
    for raw, expected in ((w.member.id, w.member), (w.outsider.id, None), (999999, None)):
        with app.test_request_context(method="POST"):
            form = ContactForm(formdata=MultiDict({"organisation_id": str(raw)}), meta={"csrf": False})
            form.organisation_id.prepare(w.liaison)
            assert form.organisation_id.org == expected
            assert form.validate() is False  # names missing; the organisation only when out of scope
            assert ("organisation_id" in form.errors) is (expected is None)
    with app.test_request_context(method="POST"):
        form = ContactForm(formdata=MultiDict({"organisation_id_q": "sac"}), meta={"csrf": False})
        form.organisation_id.prepare(w.liaison)
        assert form.organisation_id.searching and [o.id for o in form.organisation_id.offered()] == [
            w.member.id
        ]


def test_suggestions_are_the_pickers_matches_with_ids_in_scope(client, login, en_user, liaison_world, orgs):
    login(en_user("staff"))
    items = client.get("/search/suggest?kind=organisations&q=aceros").get_json()["items"]
    assert [i["id"] for i in items] == [orgs["acero"].id, orgs["acero2"].id]
    assert items[0]["label"] == "Aceros del Callao SAC (AceCal)"
    assert items[0]["detail"].startswith("Company") and orgs["acero"].ruc in items[0]["detail"]
    client.post("/auth/logout")
    login(liaison_world.liaison)
    seen = client.get("/search/suggest?kind=organisations&q=sac").get_json()["items"]
    assert [i["id"] for i in seen] == [liaison_world.member.id]


@pytest.mark.parametrize("form", ["contact", "contact_edit", "follow_up", "event"])
def test_forms_never_read_or_show_every_organisation(
    client, login, en_user, make_org, make_contact, event, form
):
    login(en_user("staff"))
    person = make_contact(make_org("Primera SAC"), "Ana", "Pérez")
    url = {
        "contact": "/contacts/new",
        "contact_edit": f"/contacts/{person.id}/edit",
        "follow_up": "/interactions/follow-ups/new",
        "event": f"/events/{event.id}",
    }[form]

    def queries() -> tuple[int, str]:
        client.get(url)
        with counted() as statements:
            response = client.get(url)
        assert response.status_code == 200
        return len(statements), response.get_data(as_text=True)

    few, _ = queries()
    db.session.add_all(Organisation(kind="company", legal_name=f"Empresa Masiva {i:03}") for i in range(60))
    db.session.commit()
    many, page = queries()
    assert many == few and "Empresa Masiva" not in page

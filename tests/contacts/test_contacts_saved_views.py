"""Saved views of the contact list: saved, reopened, shared, deleted, kept apart from other lists' views."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm import saved_views
from crm.contacts.view_views import LIST
from crm.extensions import db
from crm.models import SavedView


def views() -> list[tuple[str, str, str, bool]]:
    """Return (page, name, query, shared) of every saved view."""
    rows = db.session.execute(
        select(SavedView.page, SavedView.name, SavedView.query, SavedView.shared).order_by(SavedView.id)
    )
    return [tuple(row) for row in rows]


def chips(page: str) -> str:
    """Return the part of a list page that offers the saved views."""
    return page[page.index('aria-label="Saved views"') :].split("</nav>")[0]


@settings(deadline=None)  # a loaded CI machine is no failure of this property
@given(st.dictionaries(st.text(max_size=12), st.text(max_size=250), max_size=8))
def test_only_the_contact_list_keys_are_kept(args):
    kept = parse_qsl(saved_views.clean_query(LIST, args))
    assert [key for key, _ in kept if key != "cols"] == [k for k in LIST.keys if k != "cols" and args.get(k)]
    assert all(len(value) <= 200 for _, value in kept)
    assert set(saved_views.chosen_columns(LIST, args)) <= set(LIST.columns)


def test_a_contact_view_keeps_the_filters_and_reopens_the_list(
    client, login, en_user, make_org, make_contact
):
    acme = make_org("Acero Andino SAC")
    make_contact(acme, "Rosa", "Quispe", gender="female", qualified_consultant=True)
    make_contact(acme, "José", "Núñez", gender="male")
    login(en_user("staff"))
    page = client.get("/contacts/?q=&gender=female&consultant=yes&sort=name").get_data(as_text=True)
    assert "Save these filters as a view" in page and 'action="/contacts/views"' in page
    form = {"name": " Consultoras ", "gender": "female", "consultant": "yes", "sort": "name", "x": "<b>"}
    assert client.post("/contacts/views", data={**form, "shared": "y"}).status_code == 302
    assert views() == [("contacts", "Consultoras", "gender=female&consultant=yes&sort=name", True)]
    page = client.get("/contacts/").get_data(as_text=True)
    assert 'href="/contacts/?gender=female&amp;consultant=yes&amp;sort=name"' in chips(page)
    reopened = client.get("/contacts/?gender=female&consultant=yes&sort=name").get_data(as_text=True)
    assert "Quispe" in reopened and "Núñez" not in reopened
    searched = client.get("/contacts/?q=&gender=female&consultant=yes&organisation=&sort=name")
    assert 'aria-current="true"' in chips(searched.get_data(as_text=True))  # the form's empty fields
    client.post("/contacts/views", data={"name": "Consultoras", "q": "nuñez"})
    assert views() == [("contacts", "Consultoras", "q=nu%C3%B1ez", False)]  # the same name replaces it


def test_a_contact_view_needs_a_name_and_some_filters(client, login, en_user):
    login(en_user("staff"))
    nameless = client.post("/contacts/views", data={"q": "x"}, follow_redirects=True)
    assert b"Give the view a name" in nameless.data
    empty = client.post("/contacts/views", data={"name": "Todos"}, follow_redirects=True)
    assert b"Choose some filters first" in empty.data and views() == []


def test_contact_and_organisation_views_stay_on_their_own_list(client, login, en_user):
    login(en_user("staff"))
    client.post("/contacts/views", data={"name": "Mujeres", "gender": "female"})
    client.post("/organisations/views", data={"name": "Fundiciones", "q": "fundicion"})
    contacts_page = chips(client.get("/contacts/").get_data(as_text=True))
    orgs_page = chips(client.get("/organisations/").get_data(as_text=True))
    assert "Mujeres" in contacts_page and "Fundiciones" not in contacts_page
    assert "Fundiciones" in orgs_page and "Mujeres" not in orgs_page
    org_view = db.session.scalar(select(SavedView.id).where(SavedView.page == "organisations"))
    refused = client.post(f"/contacts/views/{org_view}/delete", follow_redirects=True)
    assert b"not yours" in refused.data and len(views()) == 2  # not a contact view: nothing deleted


def test_shared_contact_views_reach_the_team_and_only_their_author_deletes_them(client, login, en_user):
    author, colleague = en_user("staff"), en_user("staff")
    login(author)
    client.post("/contacts/views", data={"name": "Privada", "q": "a"})
    client.post("/contacts/views", data={"name": "Del equipo", "q": "b", "shared": "y"})
    client.post("/auth/logout")
    login(colleague)
    offered = chips(client.get("/contacts/").get_data(as_text=True))
    assert "Del equipo" in offered and "Privada" not in offered
    shared_id = db.session.scalar(select(SavedView.id).where(SavedView.name == "Del equipo"))
    refused = client.post(f"/contacts/views/{shared_id}/delete", follow_redirects=True)
    assert b"not yours" in refused.data and len(views()) == 2
    client.post("/auth/logout")
    login(en_user("admin"))
    deleted = client.post(f"/contacts/views/{shared_id}/delete", follow_redirects=True)
    assert "View “Del equipo” deleted." in deleted.get_data(as_text=True)
    assert [name for _, name, *_ in views()] == ["Privada"]


def test_a_liaison_saves_contact_views_for_themselves_only(client, login, liaison_world):
    login(liaison_world.liaison)
    client.post("/contacts/views", data={"name": "Mis contactos", "q": "mar", "shared": "y"})
    assert views() == [("contacts", "Mis contactos", "q=mar", False)]
    page = client.get("/contacts/?q=mar").get_data(as_text=True)
    assert "Mis contactos" in chips(page) and "Share with the team" not in page


def test_nonsense_contact_view_ids_are_nobodys_view(client, login, en_user):
    login(en_user("viewer"))
    for ident in (2**40, 0, 999999):
        response = client.post(f"/contacts/views/{ident}/delete", follow_redirects=True)
        assert response.status_code == 200 and b"not yours" in response.data


def test_a_contact_default_view_and_columns_stay_on_the_contact_list(
    client, login, en_user, make_org, make_contact
):
    make_contact(make_org("Acero Andino SAC"), "Rosa", "Quispe", gender="female", phone="+51 999 111 222")
    login(en_user("staff"))
    client.post("/contacts/views", data={"name": "Teléfonos", "gender": "female", "cols": "phone"})
    assert views() == [("contacts", "Teléfonos", "gender=female&cols=phone", False)]
    view_id = db.session.scalar(select(SavedView.id))
    client.post(f"/contacts/views/{view_id}/default")
    assert client.get("/contacts/").location.endswith("/contacts/?gender=female&cols=phone")
    assert client.get("/organisations/").status_code == 200  # another list keeps opening unfiltered
    page = client.get("/contacts/?gender=female&cols=phone").get_data(as_text=True)
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert "Phone" in header and "Gender" not in header and "+51 999 111 222" in page
    assert "★" in chips(page) and "Quispe" in client.get("/contacts/?view=none").get_data(as_text=True)

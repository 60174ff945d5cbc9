"""Linking liaisons to the business associations whose members they may see."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.models import liaison_associations


def linked(user) -> set[int]:
    """Return the ids of the associations linked to a user."""
    query = select(liaison_associations.c.organisation_id).where(liaison_associations.c.user_id == user.id)
    return set(db.session.scalars(query))


def test_link_a_liaison_to_several_associations_and_unlink(client, admin, make_user, make_association):
    liaison = make_user("liaison")
    sni, ccl = (
        make_association("Sociedad Nacional de Industrias"),
        make_association("Cámara de Comercio de Lima"),
    )
    company = make_association("Fundición Callao S.A.C.", kind="company")
    page = client.get(f"/users/{liaison.id}/associations").get_data(as_text=True)
    assert "Sociedad Nacional de Industrias" in page and "Fundición Callao" not in page
    response = client.post(f"/users/{liaison.id}/associations", data={"associations": [sni.id, ccl.id]})
    assert response.status_code == 302
    assert linked(liaison) == {sni.id, ccl.id}
    edit = client.get(f"/users/{liaison.id}/edit").get_data(as_text=True)
    assert "Cámara de Comercio de Lima" in edit
    assert client.post(f"/users/{liaison.id}/associations", data={}).status_code == 302
    assert linked(liaison) == set()
    bad = client.post(f"/users/{liaison.id}/associations", data={"associations": [company.id]})
    assert bad.status_code == 400 and "is not a valid choice" in bad.get_data(as_text=True)
    assert linked(liaison) == set()


def test_the_links_decide_what_the_liaison_sees(client, admin, make_user, make_association, login):
    liaison = make_user("liaison", email="gremio@pmu.pe")
    sni = make_association("Sociedad Nacional de Industrias")
    client.post(f"/users/{liaison.id}/associations", data={"associations": [sni.id]})
    client.post("/auth/logout")
    login(liaison)
    assert "Sociedad Nacional de Industrias" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_only_liaisons_can_be_linked(client, admin, make_user, make_association):
    staff = make_user("staff")
    sni = make_association("Sociedad Nacional de Industrias")
    response = client.post(f"/users/{staff.id}/associations", data={"associations": [sni.id]})
    assert response.status_code == 400
    assert "Only association liaisons can be linked to associations." in response.get_data(as_text=True)
    assert linked(staff) == set()


def test_changing_the_role_away_from_liaison_drops_the_links(
    client, admin, make_user, make_association, reload
):
    liaison = make_user("liaison", email="ex-liaison@pmu.pe")
    sni = make_association("Sociedad Nacional de Industrias")
    client.post(f"/users/{liaison.id}/associations", data={"associations": [sni.id]})
    assert linked(liaison) == {sni.id}
    data = {"email": "ex-liaison@pmu.pe", "name": "Ex", "role": "staff", "locale": "es", "active": "y"}
    assert client.post(f"/users/{liaison.id}/edit", data=data).status_code == 302
    assert reload(liaison).role == "staff" and linked(liaison) == set()


def test_non_admins_cannot_link(client, make_user, make_association, login):
    liaison = make_user("liaison")
    sni = make_association("Sociedad Nacional de Industrias")
    login(make_user("manager"))
    assert (
        client.post(f"/users/{liaison.id}/associations", data={"associations": [sni.id]}).status_code == 404
    )
    assert linked(liaison) == set()


def test_a_deactivated_liaison_keeps_and_can_change_its_links(client, admin, make_user, make_association):
    liaison = make_user("liaison", name="Luis Gremio", active=False)
    sni, ccl = make_association("Sociedad Nacional de Industrias"), make_association("Cámara de Comercio")
    response = client.post(f"/users/{liaison.id}/associations", data={"associations": [sni.id, ccl.id]})
    assert response.status_code == 302 and linked(liaison) == {sni.id, ccl.id}
    edit = client.post(
        f"/users/{liaison.id}/edit",
        data={"email": liaison.email, "name": "Luis Gremio", "role": "liaison", "locale": "es"},
    )
    assert edit.status_code == 302 and linked(liaison) == {sni.id, ccl.id}  # inactive, still a liaison
    assert "Choose associations" in client.get(f"/users/{liaison.id}/edit").get_data(as_text=True)
    listing = client.get("/users/?q=Luis").get_data(as_text=True)
    assert "Cámara de Comercio, Sociedad Nacional de Industrias" in listing

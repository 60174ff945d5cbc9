"""The contact list: search, filters, sorting, pagination and liaison scope."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from crm.extensions import db


@pytest.fixture
def people(make_org, make_contact):
    """Three contacts at two organisations."""
    acme = make_org("Acero Andino SAC")
    zinc = make_org("Zinc del Callao SA")
    return {
        "jose": make_contact(acme, "José", "Núñez", position="Gerente de Planta", gender="male"),
        "ana": make_contact(zinc, "Ana", "Pérez", email="ana.perez@zinc.pe", gender="female"),
        "rosa": make_contact(
            acme, "Rosa", "Quispe", position="Consultora", gender="female", qualified_consultant=True
        ),
        "acme": acme,
        "zinc": zinc,
    }


def names_on(client, query: str = "") -> str:
    """Return the contact list page as text."""
    response = client.get("/contacts/" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_ignores_accents_and_case(client, en_user, login, people):
    login(en_user("viewer"))
    page = names_on(client, "?q=NUNEZ")
    assert "Núñez" in page and "Pérez" not in page and "Quispe" not in page
    page = names_on(client, "?q=pérez")
    assert "Pérez" in page and "Núñez" not in page
    assert "1 contact matches." in page


def test_search_covers_email_and_position(client, en_user, login, people):
    login(en_user("staff"))
    assert "Pérez" in names_on(client, "?q=ana.perez@zinc")
    page = names_on(client, "?q=gerente de planta")
    assert "Núñez" in page and "Quispe" not in page


def test_search_treats_wildcards_literally(client, en_user, login, people):
    login(en_user("staff"))
    page = names_on(client, "?q=%25")
    assert "0 contacts match." in page and "Núñez" not in page
    assert "0 contacts match." in names_on(client, "?q=_")


def test_filters_by_gender_consultant_and_organisation(client, en_user, login, people):
    login(en_user("staff"))
    page = names_on(client, "?gender=female")
    assert "Pérez" in page and "Quispe" in page and "Núñez" not in page
    page = names_on(client, "?consultant=yes")
    assert "Quispe" in page and "Pérez" not in page and "Núñez" not in page
    page = names_on(client, "?consultant=no&gender=female")
    assert "Pérez" in page and "Quispe" not in page
    page = names_on(client, f"?organisation={people['acme'].id}")
    assert "Núñez" in page and "Quispe" in page and "Pérez" not in page
    assert "2 contacts match." in page


def test_odd_filter_values_are_ignored(client, en_user, login, people):
    login(en_user("staff"))
    page = names_on(client, "?gender=robot&organisation=abc&sort=drop&page=-3")
    assert "3 contacts match." in page


def test_sorts_by_name_organisation_and_updated(client, en_user, login, people):
    login(en_user("staff"))
    page = names_on(client)
    assert page.index("Núñez") < page.index("Pérez") < page.index("Quispe")
    page = names_on(client, "?sort=-name")
    assert page.index("Quispe") < page.index("Pérez") < page.index("Núñez")
    page = names_on(client, "?sort=-organisation")
    assert page.index("Pérez") < page.index("Quispe") < page.index("Núñez")


def test_paginates_with_the_page_size(app, client, en_user, login, make_org, make_contact, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    org = make_org()
    for n in range(5):
        make_contact(org, "Persona", f"Apellido{n}")
    login(en_user("staff"))
    first = names_on(client)
    assert "Apellido0" in first and "Apellido1" in first and "Apellido2" not in first
    assert "5 contacts match." in first and "page 1 of 3" in first
    last = names_on(client, "?page=3")
    assert "Apellido4" in last and "Apellido3" not in last


def test_list_shows_organisations_without_a_query_per_row(client, en_user, login, make_org, make_contact):
    for n in range(8):
        make_contact(make_org(f"Empresa {n} SAC"), "Persona", f"Apellido{n}")
    login(en_user("staff"))
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = names_on(client)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert "Empresa 7 SAC" in page
    assert len(statements) < 8


def test_liaison_sees_only_contacts_of_their_associations(client, login, liaison_world):
    login(liaison_world.liaison)
    page = names_on(client)
    assert "Miembro" in page and "Gremio" in page and "Ajeno" not in page
    assert "2 contacts match." in page
    page = names_on(client, f"?organisation={liaison_world.outsider.id}")
    assert "Ajeno" not in page and "0 contacts match." in page


def test_liaison_gets_404_for_other_contacts(client, login, liaison_world):
    login(liaison_world.liaison)
    assert client.get(f"/contacts/{liaison_world.outsider_contact.id}").status_code == 404
    response = client.get(f"/contacts/{liaison_world.member_contact.id}")
    assert response.status_code == 200
    assert "Fundición Miembro SAC" in response.get_data(as_text=True)
    assert "Change history" not in response.get_data(as_text=True)


def test_list_requires_sign_in(client):
    response = client.get("/contacts/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]

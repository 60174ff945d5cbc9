"""The contact list's organisation filter: chosen by searching a name, trade name or RUC, never a list.

The filter form (GET) carries the chosen id (`organisation`, what saved views keep) and a search text
(`organisation_q`): a search offers the best matches in the user's scope as radio buttons, the list stays
as it was until one is chosen. The chosen organisation is named above the list; an unknown or foreign id
shows no rows and a message, never the organisation. The page does not grow with the organisations.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Organisation, SavedView
from crm.ruc import make_ruc
from tests.test_query_counts import counted

REFUSED = "that organisation does not exist or is not yours to choose."


def offered(page: str) -> list[int]:
    """Return the organisation ids the filter offers as radio buttons."""
    radios = re.findall(r'type="radio" id="organisation-\d+" name="organisation" value="(\d+)"', page)
    return [int(n) for n in radios]


def checked(page: str) -> list[str]:
    """Return the values of the checked organisation radio buttons."""
    return re.findall(r'name="organisation" value="(\d*)" checked', page)


def listed(client, query: str) -> str:
    """Return the contact list page for a query string (it must answer 200)."""
    response = client.get("/contacts/?" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def people(make_org, make_contact):
    """Two companies (one with a RUC and a trade name), a contact at each and an independent one."""
    acero = make_org("Aceros del Callao SAC", ruc=make_ruc("20", "10004721"), trade_name="AceCal")
    cemento = make_org("Cementos Lima SAA")
    make_contact(acero, "José", "Núñez")
    make_contact(cemento, "Ana", "Pérez")
    make_contact(None, "Luz", "Independiente")
    return {"acero": acero, "cemento": cemento}


def test_the_filter_by_id_lists_that_organisations_contacts_and_names_it(client, login, en_user, people):
    login(en_user("staff"))
    page = listed(client, f"organisation={people['acero'].id}")
    assert "Núñez" in page and "Pérez" not in page and "Independiente" not in page
    assert "1 contact matches." in page and "Only the contacts of" in page
    assert offered(page) == [people["acero"].id] and checked(page) == [str(people["acero"].id)]
    assert "Aceros del Callao SAC" in page and "Cementos Lima SAA" not in page
    bare = listed(client, "view=none")
    assert checked(bare) == [""] and offered(bare) == [] and "3 contacts match." in bare


def test_without_script_a_search_offers_the_matches_then_the_choice_filters(client, login, en_user, people):
    login(en_user("staff"))
    step = listed(client, "organisation_q=aceros&organisation_find=1")
    assert offered(step) == [people["acero"].id] and "Matches for “aceros”" in step
    assert "3 contacts match." in step  # nothing filtered until one is chosen
    assert offered(listed(client, f"organisation_q={people['acero'].ruc}")) == [people["acero"].id]
    assert offered(listed(client, "organisation_q=acecal")) == [people["acero"].id]
    both = listed(client, f"organisation={people['cemento'].id}&organisation_q=aceros")
    assert offered(both) == [people["cemento"].id, people["acero"].id]  # the chosen one stays checked
    assert checked(both) == [str(people["cemento"].id)] and "Pérez" in both and "Núñez" not in both
    nothing = listed(client, "organisation_q=zzz")
    assert "No organisation matches “zzz”" in nothing and offered(nothing) == []
    empty = listed(client, "organisation_find=1")
    assert "Type part of the name, trade name or RUC, then search." in empty


@pytest.mark.parametrize("raw", ["999999", str(2**31 - 1)])
def test_an_unknown_id_shows_no_rows_and_says_why(client, login, en_user, people, raw):
    login(en_user("staff"))
    page = listed(client, f"organisation={raw}")
    assert "0 contacts match." in page and REFUSED in page
    assert "Núñez" not in page and "Pérez" not in page


def test_a_foreign_id_shows_nothing_of_it_to_a_liaison_in_spanish(client, login, make_user, liaison_world):
    w = liaison_world
    liaison = make_user("liaison")
    liaison.associations.append(w.assoc)
    db.session.commit()
    login(liaison)
    page = listed(client, f"organisation={w.outsider.id}")
    assert "Textil Ajena" not in page and "Ajeno" not in page and "Miembro" not in page
    assert "0 contactos coinciden." in page and "Elija entre los resultados de la búsqueda" in page
    mine = listed(client, f"organisation={w.member.id}")
    assert "Miembro" in mine and "Solo los contactos de" in mine and "Fundición Miembro SAC" in mine
    search = listed(client, "organisation_q=sac")
    assert offered(search) == [w.member.id] and "Textil Ajena" not in search


def test_a_saved_view_keeps_the_organisation_and_reopens_it_by_name(client, login, en_user, people):
    login(en_user("staff"))
    acero = people["acero"].id
    data = {"name": "Aceros", "organisation": str(acero), "organisation_q": "x", "sort": "name"}
    client.post("/contacts/views", data=data)
    assert db.session.scalar(select(SavedView.query)) == f"organisation={acero}&sort=name"
    home = listed(client, "view=none")
    assert f'href="/contacts/?organisation={acero}&amp;sort=name"' in home
    reopened = listed(client, f"organisation={acero}&sort=name")
    assert 'aria-current="true"' in reopened and "Núñez" in reopened and "Pérez" not in reopened
    assert checked(reopened) == [str(acero)] and "Aceros del Callao SAC" in reopened
    submitted = listed(client, f"q=&gender=&consultant=&organisation={acero}&organisation_q=&sort=name")
    assert 'aria-current="true"' in submitted  # the form's own submission is still that view


def test_the_list_reads_and_shows_no_more_as_organisations_grow(client, login, en_user, people):
    login(en_user("staff"))
    query = f"organisation={people['acero'].id}&organisation_q=empresa"

    def measure(url: str) -> tuple[int, int, str]:
        client.get(url)
        with counted() as statements:
            page = listed(client, url.split("?", 1)[1])
        return len(statements), len(page), page

    before = [measure("/contacts/?view=none"), measure("/contacts/?" + query)]
    db.session.add_all(Organisation(kind="company", legal_name=f"Empresa Masiva {i:03}") for i in range(60))
    db.session.commit()
    after = [measure("/contacts/?view=none"), measure("/contacts/?" + query)]
    assert after[0][:2] == before[0][:2] and "Empresa Masiva" not in after[0][2]
    assert after[1][0] == before[1][0]
    assert len(offered(after[1][2])) == 11  # the chosen one and the picker's best ten, not sixty

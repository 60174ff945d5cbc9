"""Adding members: a narrow search among all companies, adding one, or creating a new company."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from crm.extensions import db
from crm.liaison.queries import company_search
from crm.models import Engagement, Membership, Organisation, OutboxMessage


def count(model) -> int:
    """Return how many rows a table holds."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_search_needs_three_characters(client, world, as_liaison):
    html = client.get(f"/portal/{world.assoc.id}/add?q=fu").get_data(as_text=True)
    assert "Type at least 3 characters." in html
    assert "Fundición Miembro SAC" not in html


def test_search_finds_any_company_by_name_or_ruc_showing_name_district_sector_only(
    client, world, as_liaison, make_org, place
):
    outsider = make_org(
        "Fundición Lejana SAC",
        ruc="20555555556",
        trade_name="FULESA",
        website="https://fulesa.example.pe",
        notes="Notas del equipo",
        owner_id=world.staff.id,
        sector_id=place.sector.id,
        district_id=place.district.id,
    )
    make_org("Fundiciones Gremio", kind="association")  # not a company: never offered
    html = client.get(f"/portal/{world.assoc.id}/add?q=fundicion").get_data(as_text=True)
    assert "Fundición Lejana SAC" in html and "Fundiciones Gremio" not in html
    assert "Distrito Gamma" in html and "Z7 – Test foundries" in html
    for hidden in ("20555555556", "FULESA", "fulesa.example.pe", "Notas del equipo", "Olga Owner"):
        assert hidden not in html, hidden
    assert f'name="organisation_id" value="{outsider.id}"' in html
    # the already-member company is marked, not offered again
    member_row = html[html.index("Fundición Miembro SAC") :]
    assert member_row.index("Already a member") < member_row.index("</tr>")
    by_ruc = client.get(f"/portal/{world.assoc.id}/add?q=20555555556").get_data(as_text=True)
    assert "Fundición Lejana SAC" in by_ruc and "20555555556" in by_ruc  # only the search box echoes it
    assert len(re.findall("20555555556", by_ruc)) == 1


def test_the_search_query_selects_only_the_narrow_columns(world):
    query = company_search("fundicion", world.assoc.id, "en")
    names = [c["name"] for c in query.column_descriptions]
    assert names == ["id", "legal_name", "district", "sector_code", "sector", "is_member", "confirmation"]


def test_search_results_are_paginated(client, world, as_liaison, make_org):
    for i in range(30):
        make_org(f"Metalmecánica {i:02} SAC")
    html = client.get(f"/portal/{world.assoc.id}/add?q=metalmec&page=2").get_data(as_text=True)
    assert "30 results · page 2 of 2" in html
    assert "Metalmecánica 29 SAC" in html and "Metalmecánica 00 SAC" not in html


def test_add_an_existing_company_as_member(client, world, as_liaison, make_org):
    company = make_org("Cementos del Sur SAC")
    data = {"organisation_id": company.id, "status": "prospective", "programme_id": ""}
    response = client.post(f"/portal/{world.assoc.id}/add", data=data)
    assert response.status_code == 302
    membership = db.session.scalars(select(Membership).filter_by(company_id=company.id)).one()
    assert (membership.association_id, membership.status) == (world.assoc.id, "prospective")
    assert membership.confirmation == "pending"  # someone else's company: the PMU confirms first
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cementos del Sur SAC was added to Sociedad Nacional de Industrias pending confirmation" in html
    assert count(Engagement) == 0


def test_adding_a_member_twice_is_refused_clearly(client, world, as_liaison):
    data = {"organisation_id": world.member.id, "status": "active"}
    response = client.post(f"/portal/{world.assoc.id}/add", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/add")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fundición Miembro SAC is already a member of Sociedad Nacional de Industrias." in html
    assert count(Membership) == 5


def test_add_and_refer_in_one_step(client, world, as_liaison, programmes):
    data = {"legal_name": "Vidrios Lima SAC", "status": "active", "programme_id": programmes.zis.id}
    client.post(f"/portal/{world.assoc.id}/new-company", data=data)
    company = db.session.scalars(select(Organisation).filter_by(legal_name="Vidrios Lima SAC")).one()
    engagement = db.session.scalars(select(Engagement)).one()
    assert (engagement.organisation_id, engagement.stage) == (company.id, "identified")
    assert engagement.source_association_id == world.assoc.id
    assert count(OutboxMessage) == 1


def test_adding_an_existing_company_defers_the_referral_to_the_owner(
    client, world, as_liaison, make_org, programmes
):
    company = make_org("Vidrios Lima SAC", owner_id=world.staff.id)
    data = {"organisation_id": company.id, "status": "active", "programme_id": programmes.zis.id}
    client.post(f"/portal/{world.assoc.id}/add", data=data)
    assert count(Engagement) == 0  # a pending member's participation is not the liaison's to learn
    assert count(OutboxMessage) == 1  # the owner's "follow-up assigned" e-mail


def test_create_a_new_company_and_add_it(client, world, as_liaison, place):
    data = {
        "legal_name": "  Nueva Fundición SAC ",
        "ruc": "20600000005",
        "sector_id": place.sector.id,
        "district_id": place.district.id,
        "status": "active",
        "programme_id": "",
    }
    response = client.post(f"/portal/{world.assoc.id}/new-company", data=data)
    assert response.status_code == 302
    company = db.session.scalars(select(Organisation).filter_by(legal_name="Nueva Fundición SAC")).one()
    assert (company.kind, company.ruc, company.sector_id, company.district_id, company.owner_id) == (
        "company",
        "20600000005",
        place.sector.id,
        place.district.id,
        None,
    )
    membership = db.session.scalars(select(Membership).filter_by(company_id=company.id)).one()
    assert (membership.association_id, membership.status) == (world.assoc.id, "active")


def test_a_wrong_ruc_is_explained_and_nothing_is_created(client, world, as_liaison):
    before = (count(Organisation), count(Membership))
    data = {"legal_name": "Mala RUC SAC", "ruc": "20600000006", "status": "active"}
    response = client.post(f"/portal/{world.assoc.id}/new-company", data=data)
    assert response.status_code == 400
    assert "The last digit (check digit) of this RUC is wrong." in response.get_data(as_text=True)
    assert (count(Organisation), count(Membership)) == before


def test_a_duplicate_ruc_is_explained_and_nothing_is_created(client, world, as_liaison):
    before = (count(Organisation), count(Membership))
    data = {"legal_name": "Copia SAC", "ruc": "20100070970", "status": "active"}
    response = client.post(f"/portal/{world.assoc.id}/new-company", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "A company with this RUC is already in the CRM: you can add it below." in html
    assert f'name="organisation_id" value="{world.member.id}"' not in html  # already a member: not offered
    assert (count(Organisation), count(Membership)) == before


def test_a_missing_name_is_explained_in_spanish_by_default(client, world, make_liaison, login):
    liaison = make_liaison(world.assoc)
    liaison.locale = "es"
    db.session.commit()
    login(liaison)
    response = client.post(
        f"/portal/{world.assoc.id}/new-company", data={"legal_name": " ", "status": "active"}
    )
    assert response.status_code == 400
    assert "Ingrese la razón social." in response.get_data(as_text=True)
    assert count(Organisation) == 6

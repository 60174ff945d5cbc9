"""Choosing a park's tenant by searching among companies (no typed RUC or name), refusals with a message."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from crm.extensions import db
from crm.models import ParkTenant
from crm.ruc import make_ruc


def offered(page: str) -> list[int]:
    """Return the company ids the park's page offers as radio buttons."""
    return [int(n) for n in re.findall(r'name="company_id" value="(\d+)"', page)]


def tenancies() -> list[tuple[int, int, date | None]]:
    """Return the recorded tenancies as (park, company, since)."""
    return list(
        db.session.execute(select(ParkTenant.park_id, ParkTenant.company_id, ParkTenant.since)).tuples()
    )


def test_staff_searches_companies_and_adds_the_chosen_one(client, login, en_user, make_org):
    park = make_org("La Chutana", kind="park")
    other_park = make_org("Parque Fundición Norte", kind="park")
    chilca = make_org("Fundición Chilca SAC", ruc=make_ruc("20", "12345678"))
    lurin = make_org("Fundición Lurín SAC")
    login(en_user("staff"))
    url = f"/organisations/{park.id}"
    assert offered(client.get(url).get_data(as_text=True)) == []
    page = client.get(f"{url}?tenant_q=fundicion").get_data(as_text=True)
    assert sorted(offered(page)) == sorted([chilca.id, lurin.id])  # the park of the same name is not offered
    assert other_park.id not in offered(page) and '<details id="add-tenant" open>' in page
    sent = {"company_id": chilca.id, "since": "2020-03-01", "tenant_q": "fundicion"}
    response = client.post(f"/parks/{park.id}/tenants", data=sent)
    assert response.status_code == 302 and response.location.endswith(f"/organisations/{park.id}#park")
    assert tenancies() == [(park.id, chilca.id, date(2020, 3, 1))]
    assert "Fundición Chilca SAC is now a tenant of La Chutana." in client.get(response.location).get_data(
        as_text=True
    )


def test_unknown_ids_and_non_companies_are_refused_and_the_search_kept(client, login, make_user, make_org):
    park, other_park = make_org("Indupark", kind="park"), make_org("Sector 62", kind="park")
    login(make_user("staff", locale="es"))
    refusals = {
        "999999": "Elija entre los resultados de la búsqueda",
        "x1": "Elija entre los resultados de la búsqueda",
        str(other_park.id): "Solo una empresa",
    }
    for sent, message in refusals.items():
        data = {"company_id": sent, "tenant_q": "sector"}
        response = client.post(f"/parks/{park.id}/tenants", data=data)
        assert response.status_code == 302 and "tenant_q=sector" in response.location
        assert message in client.get(response.location).get_data(as_text=True), sent
    assert tenancies() == []


def test_viewers_cannot_add_tenants(client, login, en_user, make_org):
    park, company = make_org("La Chutana", kind="park"), make_org("Textil SAC")
    login(en_user("viewer"))
    assert 'name="tenant_q"' not in client.get(f"/organisations/{park.id}").get_data(as_text=True)
    assert client.post(f"/parks/{park.id}/tenants", data={"company_id": company.id}).status_code == 404
    assert tenancies() == []

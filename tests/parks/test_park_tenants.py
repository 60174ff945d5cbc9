"""Industrial parks: tenants added and removed by staff, shown on both pages, counted by stage."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from crm.extensions import db
from crm.merge.services import move_org_links
from crm.models import Agreement, AgreementParty, Engagement, ParkTenant, Programme
from crm.ruc import make_ruc


def test_staff_adds_a_tenant_and_both_pages_show_it(client, login, en_user, make_org):
    park = make_org("La Chutana", kind="park")
    company = make_org("Fundición Chilca SAC", ruc=make_ruc("20", "12345678"))
    programme = db.session.scalar(select(Programme).order_by(Programme.id))
    db.session.add(Engagement(organisation_id=company.id, programme_id=programme.id, stage="contacted",
                              stage_since=date(2025, 1, 1)))  # fmt: skip
    db.session.commit()
    login(en_user("staff"))
    form = {"company_id": company.id, "since": "2020-03-01"}
    assert client.post(f"/parks/{park.id}/tenants", data=form).status_code == 302
    tenant = db.session.scalar(select(ParkTenant))
    assert (tenant.park_id, tenant.company_id, tenant.since) == (park.id, company.id, date(2020, 3, 1))
    park_page = client.get(f"/organisations/{park.id}").get_data(as_text=True)
    assert "Tenant companies" in park_page and "Fundición Chilca SAC" in park_page
    assert "Contacted: 1" in park_page  # the tenants by stage
    company_page = client.get(f"/organisations/{company.id}").get_data(as_text=True)
    assert 'id="park"' in company_page and "La Chutana" in company_page
    client.post(f"/parks/{park.id}/tenants", data=form)  # twice: refused
    assert len(db.session.scalars(select(ParkTenant)).all()) == 1
    assert client.post(f"/parks/tenants/{tenant.id}/delete").status_code == 302
    assert db.session.scalar(select(ParkTenant)) is None


def test_company_joins_a_park_from_its_page_and_viewers_only_read(client, login, en_user, make_org):
    park, company = make_org("Sector 62", kind="park"), make_org("Textil Lurín SAC")
    login(en_user("viewer"))
    assert client.post(f"/parks/companies/{company.id}/park", data={"park_id": park.id}).status_code == 404
    client.post("/auth/logout")
    login(en_user("staff"))
    response = client.post(
        f"/parks/companies/{company.id}/park", data={"park_id": park.id, "until": "2026-01-31"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(ParkTenant.until)) == date(2026, 1, 31)
    refused = client.post(f"/parks/companies/{park.id}/park", data={"park_id": park.id})  # a park in a park
    assert refused.status_code == 302 and len(db.session.scalars(select(ParkTenant)).all()) == 1


def test_merging_companies_moves_tenancies_and_agreement_parties(make_org):
    park, other_park = make_org("Indupark", kind="park"), make_org("La Chutana", kind="park")
    keep, drop = make_org("Duplicada SAC"), make_org("Duplicada S.A.C.")
    apl = Agreement(kind="apl", title="APL")
    apl.parties = [AgreementParty(organisation_id=keep.id, role="signatory"),
                   AgreementParty(organisation_id=drop.id, role="adherent")]  # fmt: skip
    db.session.add_all([apl, ParkTenant(park_id=park.id, company_id=keep.id),
                        ParkTenant(park_id=park.id, company_id=drop.id),
                        ParkTenant(park_id=other_park.id, company_id=drop.id)])  # fmt: skip
    db.session.flush()
    move_org_links(keep.id, drop.id)
    tenancies = db.session.execute(select(ParkTenant.park_id, ParkTenant.company_id)).all()
    assert sorted(tenancies) == sorted([(park.id, keep.id), (other_park.id, keep.id)])
    assert db.session.execute(select(AgreementParty.organisation_id, AgreementParty.role)).all() == [
        (keep.id, "signatory")
    ]

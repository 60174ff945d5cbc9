"""What a liaison may learn from a uniqueness refusal: never the name of a stakeholder outside their scope."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import KINDS, Membership, Organisation
from crm.ruc import ruc_error

OUT_OF_SCOPE_KINDS = [kind for kind in KINDS if kind != "company"]
GENERIC = "This RUC is already registered. Contact the PMU if you need it added."


def counts() -> tuple[int, int]:
    """Return how many organisations and memberships exist."""
    orgs = db.session.scalar(select(func.count(Organisation.id)))
    return orgs, db.session.scalar(select(func.count(Membership.id)))


def new_company(client, world, ruc: str, name: str = "Copia Cualquiera SAC"):
    """Post the portal's new-company form with a RUC."""
    data = {"legal_name": name, "ruc": ruc, "status": "active", "programme_id": ""}
    return client.post(f"/portal/{world.assoc.id}/new-company", data=data)


@pytest.mark.parametrize("kind", OUT_OF_SCOPE_KINDS)
def test_a_taken_ruc_of_another_kind_answers_generically_without_its_name(
    client, world, as_liaison, make_org, kind
):
    holder = make_org("Banco Secreto del Perú SA", kind=kind, ruc="20100047218", trade_name="BSP")
    before = counts()
    response = new_company(client, world, "20100047218")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert GENERIC in html
    for leak in (
        "Banco Secreto",
        "BSP",
        f'name="organisation_id" value="{holder.id}"',
        f"/organisations/{holder.id}",
    ):
        assert leak not in html, leak
    assert "This company is already in the CRM" not in html
    assert counts() == before


def test_the_associations_of_other_liaisons_are_not_named_either(client, world, as_liaison):
    world.other_assoc.ruc = "20100047218"
    db.session.commit()
    html = new_company(client, world, "20100047218").get_data(as_text=True)
    assert GENERIC in html and "Cámara de Comercio de Lima" not in html


def test_a_taken_ruc_of_a_company_offers_to_add_it(client, world, as_liaison, make_org, place):
    company = make_org(
        "Aceros Ofrecidos SAC",
        ruc="20100047218",
        trade_name="ACOFSA",
        notes="Notas internas",
        sector_id=place.sector.id,
        district_id=place.district.id,
    )
    before = counts()
    response = new_company(client, world, "20100047218")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A company with this RUC is already in the CRM: you can add it below." in html
    offer = html[html.index('id="offer"') : html.index('id="search"')]
    assert "Aceros Ofrecidos SAC" in offer and "Distrito Gamma" in offer
    assert f'name="organisation_id" value="{company.id}"' in offer
    assert "ACOFSA" not in html and "Notas internas" not in html
    assert counts() == before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(OUT_OF_SCOPE_KINDS), name=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=9)
)
def test_no_stakeholder_name_ever_reaches_the_refusal(client, world, as_liaison, kind, name):
    ruc = "20131380951"
    assert ruc_error(ruc) is None
    holder = db.session.scalars(select(Organisation).where(Organisation.ruc == ruc)).first()
    if holder is None:
        holder = Organisation(kind=kind, legal_name=name, ruc=ruc)
        db.session.add(holder)
    holder.kind, holder.legal_name = kind, name
    db.session.commit()
    html = new_company(client, world, ruc).get_data(as_text=True)
    assert GENERIC in html and name not in html


def test_a_contacts_duplicate_email_names_no_contact_outside_the_scope(
    client, world, as_liaison, make_org, make_contact
):
    outsider = make_org("Química Lejana SAC")
    shared = "compras@example.pe"
    mine = make_contact(world.member, "Marta", "Miembro", email=shared)
    make_contact(outsider, "Oscar", "Escondido", email=shared)
    make_contact(world.other_member, "Olga", "Ajena", email=shared.upper())
    # A company the liaison just claimed as a member is still out of scope until the PMU confirms.
    claimed = make_org("Cementos Reclamados SAC", owner_id=world.staff.id)
    make_contact(claimed, "Carla", "Reclamada", email=shared)
    client.post(f"/portal/{world.assoc.id}/add", data={"organisation_id": claimed.id, "status": "active"})
    html = client.get(f"/contacts/{mine.id}").get_data(as_text=True)
    assert "Marta" in html
    for hidden in ("Escondido", "Ajena", "Reclamada", "Other contacts use the same e-mail address"):
        assert hidden not in html, hidden

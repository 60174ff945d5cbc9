"""The organisation page: profile, confidential emission profile and its access log, scoping, history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AccessLog, Contact, EmissionProfile, Interaction, Organisation


def company_with_profile(make_org, **fields) -> Organisation:
    """Create a foundry with an emission profile."""
    org = make_org("Fundición Callao SAC", **fields)
    profile = EmissionProfile(
        organisation_id=org.id,
        electricity_mwh_year=Decimal("1234.50"),
        natural_gas_m3_year=Decimal("98765.00"),
        emits_upops=True,
        reduction_potential_tco2e=Decimal("432.10"),
    )
    db.session.add(profile)
    db.session.commit()
    return org


def access_rows() -> list[AccessLog]:
    """Return the access log, oldest first."""
    return list(db.session.scalars(select(AccessLog).order_by(AccessLog.id)))


def test_staff_sees_profile_and_each_view_is_logged(client, staff, make_org, ref):
    org = company_with_profile(make_org, sector_id=ref.division.id, district_id=ref.district.id)
    for _ in range(2):
        response = client.get(f"/organisations/{org.id}")
        assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Energy and emission profile" in html
    assert "1,234.5" in html and "98,765" in html and "432.1" in html
    assert "Z91 – Test foundries" in html  # the sector in the user's language
    assert "Distrito Alfa, Provincia Prueba, Región Prueba" in html
    rows = access_rows()
    assert len(rows) == 2
    assert {(r.user_id, r.organisation_id, r.what, r.endpoint) for r in rows} == {
        (staff.id, org.id, "emission_profile", "organisations.detail")
    }


def test_sector_label_follows_the_users_language(client, make_user, login, make_org, ref):
    org = make_org("Fundición Callao SAC", sector_id=ref.division.id)
    login(make_user("staff", locale="es"))
    assert "Z91 – Fundición de prueba" in client.get(f"/organisations/{org.id}").get_data(as_text=True)


def test_viewer_sees_no_profile_and_nothing_is_logged(client, make_user, login, make_org):
    org = company_with_profile(make_org)
    login(make_user("viewer", locale="en"))
    response = client.get(f"/organisations/{org.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fundición Callao SAC" in html
    assert "Energy and emission profile" not in html and "1,234.5" not in html
    assert "Change history" in html  # viewers read the history ...
    assert "Emission profile · Creation" not in html  # ... but not the profile's changes
    assert access_rows() == []


def test_staff_history_lists_creation_and_profile_changes(client, staff, make_org):
    org = company_with_profile(make_org)
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Organisation · Creation" in html
    assert "Emission profile · Creation" in html
    assert "Electricity use (MWh/year)" in html and "electricity_mwh_year" not in html


def test_liaison_sees_own_members_without_confidential_parts(
    client, login, make_org, make_membership, make_liaison, make_user
):
    mine, other = (
        make_org("Asociación Mía", kind="association"),
        make_org("Asociación Otra", kind="association"),
    )
    member = company_with_profile(make_org)
    make_membership(member, mine)
    make_membership(member, other)
    db.session.add(
        Interaction(
            organisation_id=member.id,
            kind="call",
            occurred_on=date(2026, 1, 5),
            staff_id=make_user("staff").id,
            summary="Secret call notes",
        )
    )
    db.session.commit()
    login(make_liaison(mine))
    response = client.get(f"/organisations/{member.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Asociación Mía" in html
    assert "Asociación Otra" not in html  # only memberships of their own associations
    assert "Energy and emission profile" not in html and "1,234.5" not in html
    assert "Secret call notes" not in html
    assert "Change history" not in html
    assert access_rows() == []
    assert "Fundición Callao SAC" in client.get(f"/organisations/{mine.id}").get_data(as_text=True)


def test_liaison_gets_404_outside_their_scope(client, login, make_org, make_membership, make_liaison):
    mine, other = (
        make_org("Asociación Mía", kind="association"),
        make_org("Asociación Otra", kind="association"),
    )
    outsider = make_org("Outsider Co")
    make_membership(outsider, other)
    login(make_liaison(mine))
    assert client.get(f"/organisations/{other.id}").status_code == 404
    assert client.get(f"/organisations/{outsider.id}").status_code == 404


def test_unknown_ids_give_404(client, staff):
    assert client.get("/organisations/999999").status_code == 404
    assert client.get(f"/organisations/{2**40}").status_code == 404


def test_contacts_interactions_and_links_for_staff(client, staff, make_org):
    org = make_org("Fundición Callao SAC")
    db.session.add(Contact(organisation_id=org.id, first_name="Ana", last_name="Quispe", position="Gerente"))
    db.session.add(
        Interaction(
            organisation_id=org.id,
            kind="meeting",
            occurred_on=date(2026, 2, 3),
            staff_id=staff.id,
            summary="Presented the programme",
        )
    )
    db.session.commit()
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Ana Quispe" in html
    assert "Presented the programme" in html
    assert f'href="/contacts/new?organisation_id={org.id}"' in html
    assert f'href="/interactions/new?organisation_id={org.id}"' in html


def test_viewer_has_no_edit_links(client, make_user, login, make_org):
    org = make_org("Fundición Callao SAC")
    login(make_user("viewer", locale="en"))
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "/contacts/new" not in html and f"/organisations/{org.id}/edit" not in html
    assert f"/organisations/{org.id}/delete" not in html


def test_website_is_a_link_only_for_http_addresses(client, staff, make_org):
    safe = make_org("Safe SA", website="https://www.safe.pe")
    unsafe = make_org("Unsafe SA", website="javascript:alert(1)")
    assert 'href="https://www.safe.pe"' in client.get(f"/organisations/{safe.id}").get_data(as_text=True)
    html = client.get(f"/organisations/{unsafe.id}").get_data(as_text=True)
    assert 'href="javascript' not in html
    assert "javascript:alert(1)" in html  # shown as text


def test_association_members_are_paginated(app, client, staff, make_org, make_membership, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    association = make_org("Asociación Mía", kind="association")
    for name in ("Member A", "Member B", "Member C"):
        make_membership(make_org(name), association)
    first = client.get(f"/organisations/{association.id}").get_data(as_text=True)
    assert "Member A" in first and "Member B" in first and "Member C" not in first
    assert "3 results" in first
    second = client.get(f"/organisations/{association.id}?mpage=2").get_data(as_text=True)
    assert "Member C" in second and "Member A" not in second


def test_history_is_paginated_newest_first(app, client, staff, make_org, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    org = make_org("Name 1")
    for n in (2, 3):
        org.legal_name = f"Name {n}"
        db.session.commit()
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    history = html[html.index("Change history") :]
    assert "Name 2 → Name 3" in history and "Name 1 → Name 2" in history
    assert history.index("Name 2 → Name 3") < history.index("Name 1 → Name 2")
    older = client.get(f"/organisations/{org.id}?hpage=2").get_data(as_text=True)
    assert "Organisation · Creation" in older[older.index("Change history") :]
    # the company has no emission profile stored: nothing confidential was shown, no read recorded
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) == 0


def test_internal_notes_are_hidden_from_liaisons_but_shown_to_viewers(client, login, en_user, liaison_world):
    liaison_world.member.notes = "Gerente teme inspecciones de OEFA"
    db.session.commit()
    login(liaison_world.liaison)
    page = client.get(f"/organisations/{liaison_world.member.id}").get_data(as_text=True)
    assert "Fundición Miembro SAC" in page and "teme inspecciones" not in page
    client.post("/auth/logout")
    login(en_user("viewer"))
    page = client.get(f"/organisations/{liaison_world.member.id}").get_data(as_text=True)
    assert "teme inspecciones" in page

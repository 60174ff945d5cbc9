"""Creating, editing (with optimistic locking) and deleting organisations."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from crm.audit import set_actor
from crm.errors import StaleEditError
from crm.extensions import db
from crm.models import ChangeLog, Contact, EmissionProfile, Membership, Organisation
from crm.organisations import services
from crm.ruc import make_ruc
from tests.races import rival_save_before_flush

VALID_RUC = make_ruc("20", "10012345")


def count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def changes_of(entity_type: str, entity_id: int) -> list[ChangeLog]:
    """Return an entity's change rows, oldest first."""
    query = select(ChangeLog).where(ChangeLog.entity_type == entity_type, ChangeLog.entity_id == entity_id)
    return list(db.session.scalars(query.order_by(ChangeLog.id)))


def form_data(**changes) -> dict:
    """Return a complete, valid create form."""
    data = {
        "kind": "company",
        "legal_name": "Fundición Callao SAC",
        "trade_name": "",
        "ruc": "",
        "sector_id": "",
        "size": "",
        "district_id": "",
        "website": "",
        "owner_id": "",
        "notes": "",
    }
    data.update(changes)
    return data


def test_create_with_profile_writes_history(client, staff, ref):
    data = form_data(
        ruc=f"{VALID_RUC[:2]}.{VALID_RUC[2:6]} {VALID_RUC[6:10]}-{VALID_RUC[10]}",
        sector_id=ref.division.id,
        district_id=ref.district.id,
        size="medium",
        website="www.fundicion.pe",
        owner_id=staff.id,
        electricity_mwh_year="1500.5",
        emits_upops="y",
        reduction_potential_tco2e="120",
    )
    response = client.post("/organisations/new", data=data)
    assert response.status_code == 302
    org = db.session.scalars(select(Organisation)).one()
    assert response.headers["Location"].endswith(f"/organisations/{org.id}")
    assert (org.ruc, org.size, org.website, org.owner_id) == (
        VALID_RUC,
        "medium",
        "https://www.fundicion.pe",
        staff.id,
    )
    assert org.profile.electricity_mwh_year == Decimal("1500.50") and org.profile.emits_upops is True
    created = changes_of("organisation", org.id)
    assert [c.action for c in created] == ["create"]
    assert created[0].changes["legal_name"] == [None, "Fundición Callao SAC"]
    assert created[0].user_id == staff.id
    profile_rows = changes_of("emissionprofile", org.id)
    assert len(profile_rows) == 1 and profile_rows[0].entity_version == 1


def test_create_form_has_profile_fields_only_for_companies(client, staff):
    assert "Electricity use (MWh/year)" in client.get("/organisations/new").get_data(as_text=True)
    other = client.get("/organisations/new?kind=association").get_data(as_text=True)
    assert "Electricity use" not in other
    assert '<option selected value="association">' in other


def test_profile_fields_are_ignored_for_non_companies(client, staff):
    response = client.post(
        "/organisations/new", data=form_data(kind="association", electricity_mwh_year="99")
    )
    assert response.status_code == 302
    assert count(Organisation) == 1 and count(EmissionProfile) == 0


@pytest.mark.parametrize(
    ("ruc", "message"),
    [
        ("2010012345", "A RUC has exactly 11 digits."),
        ("2010012345A", "A RUC has exactly 11 digits."),
        (make_ruc("30", "10012345"), "A RUC starts with 10, 15, 16, 17 or 20."),
        (VALID_RUC[:10] + str((int(VALID_RUC[10]) + 1) % 10), "check digit"),
    ],
)
def test_create_with_an_invalid_ruc_explains_and_writes_nothing(client, staff, ruc, message):
    response = client.post("/organisations/new", data=form_data(ruc=ruc))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Organisation) == 0 and count(ChangeLog) == 0


def test_duplicate_ruc_links_to_the_other_organisation(client, staff, make_org):
    other = make_org("Aceros Existentes SAC", ruc=VALID_RUC)
    response = client.post("/organisations/new", data=form_data(ruc=VALID_RUC[:5] + " " + VALID_RUC[5:]))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Another organisation already has this RUC:" in html
    assert f'<a href="/organisations/{other.id}">Aceros Existentes SAC</a>' in html
    assert count(Organisation) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"legal_name": "   "}, "Enter the legal name."),
        ({"legal_name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"trade_name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"website": "javascript:alert(1)"}, "Enter a web address starting with http:// or https://."),
        ({"website": "ftp://files.example.pe"}, "Enter a web address starting with http:// or https://."),
        ({"kind": "spaceship"}, "Not a valid choice"),
        ({"sector_id": "abc"}, "Invalid Choice"),
        ({"owner_id": "999999"}, "Not a valid choice"),
        ({"electricity_mwh_year": "NaN"}, "Enter a number."),
        ({"electricity_mwh_year": "-5"}, "Number must be between"),
    ],
)
def test_create_with_bad_input_explains_and_writes_nothing(client, staff, changes, message):
    response = client.post("/organisations/new", data=form_data(**changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Organisation) == 0 and count(ChangeLog) == 0


def test_name_of_exactly_200_characters_is_accepted(client, staff):
    assert client.post("/organisations/new", data=form_data(legal_name="x" * 200)).status_code == 302
    assert db.session.scalar(select(Organisation.legal_name)) == "x" * 200


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_only_editors_may_create(client, make_user, login, role):
    login(make_user(role, locale="en"))
    assert client.get("/organisations/new").status_code == 404
    assert client.post("/organisations/new", data=form_data()).status_code == 404
    assert count(Organisation) == 0


def test_edit_records_old_and_new_values(client, staff, make_org):
    org = make_org("Fundición Callao SAC", ruc=VALID_RUC)
    form = client.get(f"/organisations/{org.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form
    assert "Electricity use (MWh/year)" in form
    data = form_data(legal_name="Fundición Callao SAA", ruc=VALID_RUC, size="large", version="1")
    response = client.post(f"/organisations/{org.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(org)
    assert (org.legal_name, org.size, org.version_id) == ("Fundición Callao SAA", "large", 2)
    last = changes_of("organisation", org.id)[-1]
    assert last.action == "update" and last.user_id == staff.id and last.entity_version == 2
    assert last.changes == {
        "legal_name": ["Fundición Callao SAC", "Fundición Callao SAA"],
        "size": [None, "large"],
    }


def test_keeping_ones_own_ruc_is_not_a_duplicate(client, staff, make_org):
    org = make_org("Fundición Callao SAC", ruc=VALID_RUC)
    response = client.post(
        f"/organisations/{org.id}/edit", data=form_data(ruc=VALID_RUC, notes="ok", version="1")
    )
    assert response.status_code == 302


def test_profile_form_fields_absent_for_associations(client, staff, make_org):
    org = make_org("Asociación Mía", kind="association")
    assert "Electricity use" not in client.get(f"/organisations/{org.id}/edit").get_data(as_text=True)
    data = form_data(kind="association", legal_name="Asociación Mía", electricity_mwh_year="5", version="1")
    assert client.post(f"/organisations/{org.id}/edit", data=data).status_code == 302
    assert count(EmissionProfile) == 0


def test_stale_version_shows_the_conflict_and_saves_nothing(client, staff, make_org, make_user):
    org = make_org("Fundición Callao SAC")
    colleague = make_user("staff", name="Carla Colleague")
    set_actor(colleague.id)  # a colleague saves first: version 2
    try:
        values = form_data(legal_name="Fundición Callao SAA", size="small")
        services.update_organisation(org, values, 1, {"electricity_mwh_year": Decimal("10")})
        db.session.commit()
    finally:
        set_actor(None)
    assert org.version_id == 2
    before = count(ChangeLog)
    data = form_data(legal_name="My Name", version="1", electricity_mwh_year="99")
    response = client.post(f"/organisations/{org.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved changes to this organisation" in html
    assert "Carla Colleague" in html
    assert "Fundición Callao SAC → Fundición Callao SAA" in html
    assert "Electricity use (MWh/year)</span>: — → 10" in html  # a label and a number in the locale
    assert 'name="version" type="hidden" value="2"' in html  # saving again is a deliberate overwrite
    assert 'value="My Name"' in html  # the user's input is kept
    db.session.refresh(org)
    assert (org.legal_name, org.version_id, org.profile.electricity_mwh_year) == (
        "Fundición Callao SAA",
        2,
        Decimal("10.00"),
    )
    assert count(ChangeLog) == before


def test_profile_only_change_also_makes_older_forms_stale(client, staff, make_org):
    org = make_org("Fundición Callao SAC")
    assert (
        client.post(
            f"/organisations/{org.id}/edit", data=form_data(version="1", natural_gas_m3_year="500")
        ).status_code
        == 302
    )
    db.session.refresh(org)
    assert org.version_id == 2
    profile_row = changes_of("emissionprofile", org.id)[-1]
    assert profile_row.entity_version == 2
    response = client.post(f"/organisations/{org.id}/edit", data=form_data(version="1", notes="late"))
    assert response.status_code == 409
    assert "natural_gas_m3_year" in response.get_data(as_text=True)
    db.session.refresh(org)
    assert org.notes is None


def test_odd_version_value_is_a_conflict_not_an_error(client, staff, make_org):
    org = make_org("Fundición Callao SAC")
    response = client.post(f"/organisations/{org.id}/edit", data=form_data(version="abc", notes="x"))
    assert response.status_code == 409
    db.session.refresh(org)
    assert org.notes is None


def test_concurrent_save_after_loading_raises_conflict(make_org):
    org = make_org("Fundición Callao SAC")
    loaded = org.version_id
    # Another process commits between our load and our flush: the ORM's version check catches it.
    db.session.execute(update(Organisation).where(Organisation.id == org.id).values(version_id=loaded + 1))
    with pytest.raises(StaleEditError):
        services.update_organisation(org, form_data(legal_name="Changed"), loaded)
    db.session.rollback()
    assert db.session.get(Organisation, org.id).legal_name == "Fundición Callao SAC"


def test_edit_unknown_or_out_of_scope_ids(client, make_user, login, make_org):
    org = make_org("Fundición Callao SAC")
    login(make_user("staff", locale="en"))
    assert client.get("/organisations/999999/edit").status_code == 404
    assert client.get(f"/organisations/{2**40}/edit").status_code == 404
    assert client.post("/organisations/999999/edit", data=form_data(version="1")).status_code == 404
    client.post("/auth/logout")
    login(make_user("viewer", locale="en"))
    assert (
        client.post(f"/organisations/{org.id}/edit", data=form_data(legal_name="X", version="1")).status_code
        == 404
    )
    db.session.refresh(org)
    assert org.legal_name == "Fundición Callao SAC"


def test_admin_deletes_and_history_keeps_the_record(client, make_user, login, make_org):
    org = make_org("Fundición Callao SAC")
    association = make_org("Asociación Mía", kind="association")
    db.session.add(Membership(company_id=org.id, association_id=association.id, status="active"))
    db.session.add(Contact(organisation_id=org.id, first_name="Ana", last_name="Quispe"))
    db.session.commit()
    org_id = org.id
    login(make_user("admin", locale="en"))
    response = client.post(f"/organisations/{org_id}/delete")
    assert response.status_code == 302
    assert db.session.get(Organisation, org_id) is None
    assert count(Membership) == 0
    assert db.session.scalars(select(Contact)).one().organisation_id is None
    deleted = changes_of("organisation", org_id)[-1]
    assert deleted.action == "delete" and deleted.changes["legal_name"] == ["Fundición Callao SAC", None]
    membership_actions = select(ChangeLog.action).where(ChangeLog.entity_type == "membership")
    assert db.session.scalars(membership_actions.order_by(ChangeLog.id)).all() == ["create", "delete"]
    assert client.get(f"/organisations/{org_id}").status_code == 404


def test_staff_may_not_delete(client, staff, make_org):
    org = make_org("Fundición Callao SAC")
    assert client.post(f"/organisations/{org.id}/delete").status_code == 404
    assert db.session.get(Organisation, org.id) is not None
    assert client.post("/organisations/999999/delete").status_code == 404


def test_save_losing_the_race_to_its_update_is_a_409_listing_the_rival_change(client, staff, make_org):
    org = make_org("Fundición Callao SAC")
    data = form_data(legal_name="Mi Nombre", version=str(org.version_id))
    with rival_save_before_flush(Organisation, org.id, "notes", "Nota del rival"):
        response = client.post(f"/organisations/{org.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved changes to this organisation" in html
    assert "Nota del rival" in html  # the rival's change is read after the failed flush is discarded
    db.session.expire_all()
    stored = db.session.get(Organisation, org.id)
    assert (stored.legal_name, stored.notes) == ("Fundición Callao SAC", "Nota del rival")
    assert f'name="version" type="hidden" value="{stored.version_id}"' in html

"""Association memberships kept from the organisation pages: add, edit, review, remove, scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import ChangeLog, Membership


def memberships() -> list[Membership]:
    """Return every membership, oldest first."""
    return list(db.session.scalars(select(Membership).order_by(Membership.id)))


def flashed(client, org_id: int) -> str:
    """Return an organisation page's HTML, with the flash messages of the last POST."""
    return client.get(f"/organisations/{org_id}").get_data(as_text=True)


@pytest.fixture
def pair(make_org):
    """A company and an association."""
    return make_org("Fundición Callao SAC"), make_org("Sociedad Nacional de Industrias", kind="association")


def test_company_page_offers_the_associations(client, staff, pair, make_org):
    company, association = pair
    make_org("Another Company")
    html = client.get(f"/organisations/{company.id}").get_data(as_text=True)
    assert f'action="/organisations/{company.id}/memberships"' in html
    assert f'<option value="{association.id}">Sociedad Nacional de Industrias</option>' in html
    assert "Another Company</option>" not in html


def test_add_membership_and_its_history(client, staff, pair):
    company, association = pair
    data = {"association_id": association.id, "status": "active", "since": "2024-03-01"}
    response = client.post(f"/organisations/{company.id}/memberships", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{company.id}#memberships")
    [membership] = memberships()
    assert (membership.company_id, membership.association_id, membership.status, membership.since) == (
        company.id,
        association.id,
        "active",
        date(2024, 3, 1),
    )
    row = db.session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "membership")).one()
    assert (row.action, row.organisation_id, row.user_id) == ("create", company.id, staff.id)
    assert "Sociedad Nacional de Industrias" in flashed(client, company.id)
    assert "Fundición Callao SAC" in flashed(client, association.id)


def test_duplicate_membership_is_refused_clearly(client, staff, pair, make_membership):
    company, association = pair
    make_membership(company, association)
    data = {"association_id": association.id, "status": "prospective"}
    client.post(f"/organisations/{company.id}/memberships", data=data)
    assert "Fundición Callao SAC is already a member of Sociedad Nacional de Industrias." in flashed(
        client, company.id
    )
    assert len(memberships()) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "honorary"}, "Not a valid choice"),
        ({"status": "active", "since": "yesterday"}, "Not a valid date value"),
        ({"status": "active", "association_id": ""}, "Choose an association."),
        (
            {"status": "active", "since": (date.today() + timedelta(days=30)).isoformat()},
            "cannot start in the future",
        ),
    ],
)
def test_add_with_bad_input_changes_nothing(client, staff, pair, data, message):
    company, association = pair
    data = {"association_id": association.id, **data}
    assert client.post(f"/organisations/{company.id}/memberships", data=data).status_code == 302
    assert message in flashed(client, company.id)
    assert memberships() == []


def test_only_a_company_joins_only_an_association(client, staff, pair, make_org):
    company, association = pair
    client.post(
        f"/organisations/{association.id}/memberships",
        data={"association_id": association.id, "status": "active"},
    )
    assert memberships() == []
    assert (
        client.post(
            "/organisations/999999/memberships", data={"association_id": association.id, "status": "active"}
        ).status_code
        == 404
    )
    assert memberships() == []


def test_edit_status_and_since(client, staff, pair, make_membership):
    company, association = pair
    membership = make_membership(company, association, status="prospective")
    data = {"status": "lapsed", "since": "2020-01-15", "back": str(association.id)}
    response = client.post(f"/organisations/memberships/{membership.id}/edit", data=data)
    assert response.headers["Location"].endswith(f"/organisations/{association.id}#memberships")
    db.session.refresh(membership)
    assert (membership.status, membership.since) == ("lapsed", date(2020, 1, 15))
    row = db.session.scalars(select(ChangeLog).where(ChangeLog.action == "update")).one()
    assert row.changes["status"] == ["prospective", "lapsed"]


def test_edit_with_unknown_status_changes_nothing(client, staff, pair, make_membership):
    company, association = pair
    membership = make_membership(company, association, status="active")
    client.post(f"/organisations/memberships/{membership.id}/edit", data={"status": "gold"})
    assert "Not a valid choice" in flashed(client, company.id)
    db.session.refresh(membership)
    assert membership.status == "active"


def test_mark_reviewed_records_who_and_when(client, staff, pair, make_membership):
    company, association = pair
    membership = make_membership(company, association)
    response = client.post(f"/organisations/memberships/{membership.id}/review")
    assert response.headers["Location"].endswith(f"/organisations/{company.id}#memberships")
    db.session.refresh(membership)
    assert membership.last_reviewed_by_id == staff.id
    assert membership.last_reviewed_at is not None
    assert staff.name in client.get(f"/organisations/{company.id}").get_data(as_text=True)


def test_remove_membership(client, staff, pair, make_membership):
    company, association = pair
    membership = make_membership(company, association)
    assert client.post(f"/organisations/memberships/{membership.id}/delete").status_code == 302
    assert memberships() == []
    query = select(ChangeLog.action).where(ChangeLog.entity_type == "membership").order_by(ChangeLog.id)
    actions = db.session.scalars(query)
    assert list(actions) == ["create", "delete"]


def test_unknown_membership_ids_give_404(client, staff):
    for action in ("edit", "review", "delete"):
        for ident in (999999, 2**40):
            response = client.post(f"/organisations/memberships/{ident}/{action}", data={"status": "active"})
            assert response.status_code == 404


@pytest.mark.parametrize("role", ["liaison", "viewer"])
def test_roles_without_membership_edit_get_404(client, make_user, login, pair, make_membership, role):
    company, association = pair
    membership = make_membership(company, association, status="active")
    user = make_user(role, locale="en")
    login(user)
    page = client.get(f"/organisations/{company.id}")
    assert "Mark reviewed" not in page.get_data(as_text=True)
    assert (
        client.post(f"/organisations/memberships/{membership.id}/edit", data={"status": "left"}).status_code
        == 404
    )
    assert client.post(f"/organisations/memberships/{membership.id}/review").status_code == 404
    assert client.post(f"/organisations/memberships/{membership.id}/delete").status_code == 404
    assert (
        client.post(
            f"/organisations/{company.id}/memberships",
            data={"association_id": association.id, "status": "active"},
        ).status_code
        == 404
    )
    db.session.refresh(membership)
    assert (membership.status, membership.last_reviewed_at) == ("active", None)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1

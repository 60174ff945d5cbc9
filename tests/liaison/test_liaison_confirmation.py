"""Adding an existing company makes a pending membership: the liaison learns no more until it is confirmed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import ChangeLog, FollowUp, Membership, Organisation, OutboxMessage
from crm.permissions import visible_contacts, visible_organisations


@pytest.fixture
def claimed(world, make_org, make_contact, place):
    """A company someone else keeps, with a contact, that the liaison has not added yet."""
    company = make_org(
        "Cementos Reclamados SAC",
        ruc="20100047218",
        trade_name="CEMRESA",
        owner_id=world.staff.id,
        sector_id=place.sector.id,
        district_id=place.district.id,
        website="https://cemresa.example.pe",
    )
    contact = make_contact(company, "Carla", "Reclamada", email="carla@cemresa.pe", position="Gerente")
    return company, contact


def add(client, world, company, **extra):
    """Post the portal's 'add as member' button for a company."""
    data = {"organisation_id": company.id, "status": "active", "programme_id": "", **extra}
    return client.post(f"/portal/{world.assoc.id}/add", data=data)


def membership_of(company, association=None) -> Membership:
    """Return the company's membership (of the given association, if it has several)."""
    db.session.expire_all()
    query = select(Membership).filter_by(company_id=company.id)
    if association is not None:
        query = query.filter_by(association_id=association.id)
    return db.session.scalars(query).one()


@pytest.fixture
def switch(client, login):
    """Sign out whoever is signed in, then sign the user in."""

    def do(user):
        client.post("/auth/logout")
        return login(user)

    return do


def liaison_sees(client, company, contact) -> dict[str, bool]:
    """Return what of the company the liaison can reach through the pages."""
    contacts = client.get("/contacts/").get_data(as_text=True)
    return {
        "contact_list": "Reclamada" in contacts,
        "contact_page": client.get(f"/contacts/{contact.id}").status_code == 200,
        "company_page": client.get(f"/organisations/{company.id}").status_code == 200,
    }


NOTHING = {"contact_list": False, "contact_page": False, "company_page": False}
EVERYTHING = {"contact_list": True, "contact_page": True, "company_page": True}


def test_adding_an_existing_company_leaves_it_pending_and_hidden(client, world, as_liaison, claimed):
    company, contact = claimed
    assert add(client, world, company).status_code == 302
    assert membership_of(company).confirmation == "pending"
    assert liaison_sees(client, company, contact) == NOTHING
    # enforced in the scoped queries, not only in templates
    assert company.id not in set(
        db.session.scalars(visible_organisations(world.liaison).with_only_columns(Organisation.id))
    )
    assert contact.id not in {c.id for c in db.session.scalars(visible_contacts(world.liaison))}
    html = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    row = html[html.index('class="unconfirmed"') :]
    row = row[: row.index("</tr>")]
    assert "Pending confirmation" in row and "Distrito Gamma" in row and "Z7 – Test foundries" in row
    for hidden in ("CEMRESA", "20100047218", "cemresa.example.pe", "Carla", "Olga Owner", "save_member"):
        assert hidden not in html, hidden
    assert f"/organisations/{company.id}" not in html


def test_the_owner_gets_a_follow_up_and_an_email(client, world, as_liaison, claimed, programmes):
    company, _contact = claimed
    add(client, world, company, programme_id=programmes.zis.id)
    follow_up = db.session.scalars(select(FollowUp)).one()
    assert (follow_up.organisation_id, follow_up.assignee_id) == (company.id, world.staff.id)
    assert "Cementos Reclamados SAC" in follow_up.description and "ZIS-CALLAO" in follow_up.description
    assert membership_of(company).follow_up_id == follow_up.id
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert (mail.kind, mail.recipient_id) == ("follow_up_assigned", world.staff.id)


def test_the_owner_confirms_and_the_liaison_then_sees_the_contacts(client, world, claimed, switch):
    company, contact = claimed
    switch(world.liaison)
    add(client, world, company)
    switch(world.staff)
    page = client.get(f"/organisations/{company.id}").get_data(as_text=True)
    assert "Memberships to confirm" in page and "Confirm membership" in page
    membership = membership_of(company)
    response = client.post(
        f"/portal/memberships/{membership.id}/decide", data={"decision": "confirm", "back": "org"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{company.id}#membership-requests")
    membership = membership_of(company)
    assert (membership.confirmation, membership.decided_by_id) == ("confirmed", world.staff.id)
    assert membership.decided_at is not None
    assert db.session.get(FollowUp, membership.follow_up_id).done_at is not None
    change = db.session.scalars(
        select(ChangeLog).where(ChangeLog.entity_type == "membership", ChangeLog.action == "update")
    ).one()
    assert change.changes["confirmation"] == ["pending", "confirmed"]
    assert change.user_id == world.staff.id
    switch(world.liaison)
    assert liaison_sees(client, company, contact) == EVERYTHING


def test_a_rejected_membership_keeps_the_company_hidden(client, world, claimed, switch):
    company, contact = claimed
    switch(world.liaison)
    add(client, world, company)
    switch(world.manager)
    membership = membership_of(company)
    response = client.post(f"/portal/memberships/{membership.id}/decide", data={"decision": "reject"})
    assert response.headers["Location"].endswith("/portal/pending")
    assert membership_of(company).confirmation == "rejected"
    change = db.session.scalars(
        select(ChangeLog).where(ChangeLog.entity_type == "membership", ChangeLog.action == "update")
    ).one()
    assert change.changes["confirmation"] == ["pending", "rejected"]
    again = client.post(f"/portal/memberships/{membership.id}/decide", data={"decision": "confirm"})
    assert "This membership has already been decided." in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    assert membership_of(company).confirmation == "rejected"
    switch(world.liaison)
    assert liaison_sees(client, company, contact) == NOTHING
    html = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    assert "Rejected by the PMU" in html


def test_the_liaison_cannot_decide_edit_or_refer_a_pending_membership(
    client, world, as_liaison, claimed, programmes
):
    company, _contact = claimed
    add(client, world, company)
    membership = membership_of(company)
    decide = client.post(f"/portal/memberships/{membership.id}/decide", data={"decision": "confirm"})
    save = client.post(f"/portal/members/{membership.id}", data={"status": "left"})
    refer = client.post(f"/portal/members/{membership.id}/refer", data={"programme_id": programmes.zis.id})
    assert (decide.status_code, save.status_code, refer.status_code) == (404, 404, 404)
    assert client.get("/portal/pending").status_code == 404
    membership = membership_of(company)
    assert (membership.confirmation, membership.status) == ("pending", "active")


def test_the_queue_lists_pending_memberships_for_the_team(client, world, claimed, switch, en_user):
    company, _contact = claimed
    switch(world.liaison)
    add(client, world, company)
    switch(en_user("viewer"))
    assert client.get("/portal/pending").status_code == 404
    switch(world.manager)
    html = client.get("/portal/pending").get_data(as_text=True)
    assert "Cementos Reclamados SAC" in html and "Sociedad Nacional de Industrias" in html
    assert world.liaison.name in html and "Olga Owner" in html


def test_a_company_the_liaison_creates_is_confirmed_at_once(client, world, as_liaison):
    data = {"legal_name": "Nueva Propia SAC", "status": "active", "programme_id": ""}
    response = client.post(f"/portal/{world.assoc.id}/new-company", data=data)
    assert response.status_code == 302
    membership = db.session.scalars(select(Membership).order_by(Membership.id.desc())).first()
    assert (membership.company.legal_name, membership.confirmation) == ("Nueva Propia SAC", "confirmed")
    assert client.get(f"/organisations/{membership.company_id}").status_code == 200
    assert db.session.scalar(select(FollowUp.id)) is None


def test_a_company_already_confirmed_in_another_of_their_associations_is_confirmed_at_once(
    client, world, make_liaison, switch
):
    switch(make_liaison(world.assoc, world.other_assoc))
    response = add(client, world, world.other_member)
    assert response.status_code == 302
    assert membership_of(world.other_member, world.assoc).confirmation == "confirmed"
    assert db.session.scalar(select(FollowUp.id)) is None


def test_existing_memberships_count_as_confirmed(client, world, as_liaison, make_contact):
    contact = make_contact(world.member, "Marta", "Miembro")
    assert world.m_member.confirmation == "confirmed"
    assert client.get(f"/contacts/{contact.id}").status_code == 200

"""Probable duplicates are listed with a score; merging moves everything to the survivor and is recorded."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from common_support import ruc, text
from merge_support import programme
from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Attendance,
    ChangeLog,
    Contact,
    District,
    Engagement,
    Event,
    FollowUp,
    Interaction,
    Letter,
    Membership,
    Organisation,
    Programme,
    interaction_contacts,
)


@pytest.fixture
def pair(manager, make_org, make_contact):
    """Two records of one company, each with things hanging off it."""
    callao = db.session.scalars(select(District).where(District.ubigeo == "070101")).one()
    keep = make_org("Fundición Callao S.A.C.", district_id=callao.id, website="https://keep.pe")
    drop = make_org("FUNDICION CALLAO SAC", district_id=callao.id, website="https://drop.pe", ruc=ruc(9))
    sni, ccl = make_org("SNI", kind="association"), make_org("CCL", kind="association")
    db.session.add_all([Membership(company_id=keep.id, association_id=sni.id, status="active"),
                        Membership(company_id=drop.id, association_id=sni.id, status="lapsed"),
                        Membership(company_id=drop.id, association_id=ccl.id, status="active")])  # fmt: skip
    contact = make_contact(drop, "Ana", "Pérez", email="ana@fc.pe")
    interaction = Interaction(organisation_id=drop.id, kind="call", occurred_on=date(2024, 5, 3),
                              staff_id=manager.id, summary="Llamada", contacts=[contact])  # fmt: skip
    db.session.add(interaction)
    db.session.flush()
    db.session.add_all([
        FollowUp(organisation_id=drop.id, interaction_id=interaction.id, assignee_id=manager.id,
                 due_on=date(2024, 6, 1), description="Volver a llamar"),
        Letter(kind="interest", organisation_id=drop.id, status="requested"),
        Engagement(organisation_id=keep.id, programme_id=programme("ZIS-CALLAO").id, stage="contacted",
                   stage_since=date(2024, 1, 1)),
        Engagement(organisation_id=drop.id, programme_id=programme("PEI").id, stage="identified",
                   stage_since=date(2024, 2, 1)),
    ])  # fmt: skip
    db.session.commit()
    return SimpleNamespace(keep=keep, drop=drop, sni=sni, ccl=ccl, contact=contact, interaction=interaction)


def test_the_duplicates_page_lists_same_name_same_district_with_a_score(client, pair, make_org):
    make_org("Fundición Callao SAC")  # no district: a group of its own with another
    make_org("Fundicion Callao E.I.R.L.")
    body = text(client.get("/imports/duplicates/organisations"))
    assert (
        body.count('<span class="score">90</span>') == 1 and body.count('<span class="score">70</span>') == 1
    )
    assert f"/imports/merge/organisations/{pair.keep.id}/{pair.drop.id}" in body


def test_a_renamed_organisation_joins_the_group_of_its_new_name(client, pair, make_org):
    other = make_org("Textiles Lurín SA", district_id=pair.keep.district_id)
    assert f"/organisations/{other.id}" not in text(client.get("/imports/duplicates/organisations"))
    other.legal_name = "Fundición  Callao, S.A."
    db.session.commit()
    assert other.name_key == pair.keep.name_key == "fundicioncallao"  # stored by the save hook
    assert f"/organisations/{other.id}" in text(client.get("/imports/duplicates/organisations"))


def test_merging_moves_everything_to_the_survivor_and_records_it(client, pair):
    keep, drop = SimpleNamespace(id=pair.keep.id, version_id=pair.keep.version_id), pair.drop
    page = client.get(f"/imports/merge/organisations/{keep.id}/{drop.id}")
    assert page.status_code == 200 and 'name="choice_website"' in text(page)
    assert 'name="choice_ruc"' not in text(page)  # only one has a RUC: it is simply kept
    form = {"choice_legal_name": "keep", "choice_website": "drop", "keep_version": keep.version_id,
            "drop_version": drop.version_id}  # fmt: skip
    drop = SimpleNamespace(id=drop.id)
    response = client.post(f"/imports/merge/organisations/{keep.id}/{drop.id}", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/organisations/{keep.id}")
    db.session.expire_all()
    assert db.session.get(Organisation, drop.id) is None
    survivor = db.session.get(Organisation, keep.id)
    assert (survivor.legal_name, survivor.website, survivor.ruc) == (
        "Fundición Callao S.A.C.",
        "https://drop.pe",
        ruc(9),
    )
    for model in (Contact, Interaction, FollowUp, Letter):
        assert db.session.scalars(select(model.organisation_id)).all() == [keep.id], model
    engagements = db.session.scalars(select(Engagement.organisation_id)).all()
    assert engagements == [keep.id, keep.id]
    memberships = db.session.execute(select(Membership.association_id, Membership.status)).all()
    assert sorted(memberships) == sorted([(pair.sni.id, "active"), (pair.ccl.id, "active")])
    left = select(ChangeLog.id).where(ChangeLog.organisation_id == drop.id, ChangeLog.action != "delete")
    assert db.session.scalar(left) is None
    merge_row = db.session.scalars(select(ChangeLog).where(ChangeLog.action == "merge")).one()
    assert (merge_row.entity_id, merge_row.organisation_id) == (keep.id, keep.id)
    assert merge_row.changes["legal_name"] == ["FUNDICION CALLAO SAC", "Fundición Callao S.A.C."]
    detail = text(client.get(f"/organisations/{keep.id}"))
    assert "Merge" in detail and "FUNDICION CALLAO SAC" in detail


def test_two_engagements_in_the_same_programme_become_one(client, pair):
    db.session.add(Engagement(organisation_id=pair.drop.id, programme_id=programme("ZIS-CALLAO").id,
                              stage="identified", stage_since=date(2024, 3, 1)))  # fmt: skip
    db.session.commit()
    form = {"keep_version": pair.keep.version_id, "drop_version": pair.drop.version_id}
    drop_id = pair.drop.id
    response = client.post(f"/imports/merge/organisations/{pair.keep.id}/{drop_id}", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, drop_id) is None
    query = select(Programme.code, Engagement.stage).join(Engagement.programme).order_by(Programme.code)
    assert db.session.execute(query).all() == [("PEI", "identified"), ("ZIS-CALLAO", "contacted")]


def test_a_record_changed_meanwhile_is_not_merged(client, pair):
    form = {"keep_version": pair.keep.version_id, "drop_version": pair.drop.version_id}
    pair.drop.notes = "editado"
    db.session.commit()
    response = client.post(f"/imports/merge/organisations/{pair.keep.id}/{pair.drop.id}", data=form)
    assert response.status_code == 409 and "changed by someone else" in text(response)
    assert db.session.get(Organisation, pair.drop.id) is not None


def test_contacts_with_the_same_email_merge_with_their_links(client, pair, make_contact):
    keep = make_contact(pair.keep, "Ana María", "Pérez", email="ANA@fc.pe", position="Gerente")
    drop = pair.contact
    event = Event(title="Taller", type="training", held_on=date(2024, 5, 3))
    db.session.add(event)
    db.session.flush()
    db.session.add_all(
        [
            Attendance(event_id=event.id, contact_id=drop.id),
            Letter(kind="interest", organisation_id=pair.keep.id, status="signed", signatory_id=drop.id),
        ]
    )
    db.session.commit()
    body = text(client.get("/imports/duplicates/contacts"))
    assert f"/imports/merge/contacts/{drop.id}/{keep.id}" in body  # the older record is offered as survivor
    form = {"choice_first_name": "keep", "choice_organisation_id": "keep", "keep_version": keep.version_id,
            "drop_version": drop.version_id}  # fmt: skip
    keep_id, drop_id = keep.id, drop.id
    response = client.post(f"/imports/merge/contacts/{keep_id}/{drop_id}", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    keep = SimpleNamespace(id=keep_id)
    assert db.session.get(Contact, drop_id) is None
    assert db.session.scalars(select(interaction_contacts.c.contact_id)).all() == [keep.id]
    assert db.session.scalars(select(Attendance.contact_id)).all() == [keep.id]
    assert db.session.scalar(select(Letter.signatory_id).where(Letter.signatory_id.is_not(None))) == keep.id
    mine = select(ChangeLog.action).where(ChangeLog.entity_type == "contact", ChangeLog.entity_id == keep.id)
    history = db.session.scalars(mine).all()
    assert history.count("create") == 2 and "merge" in history


def test_only_admins_and_managers_merge(client, en_user, login, make_org):
    login(en_user("staff"))
    a, b = make_org("Uno SAC"), make_org("Uno S.A.C.")
    assert client.get("/imports/duplicates/organisations").status_code == 404
    assert client.post(f"/imports/merge/organisations/{a.id}/{b.id}").status_code == 404
    assert db.session.get(Organisation, b.id) is not None

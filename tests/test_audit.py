"""The change-history hook records every create, update and delete with who and old → new."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from crm.audit import set_actor
from crm.extensions import db
from crm.models import ChangeLog, Contact, EmissionProfile, Organisation


def entries(entity_type: str, entity_id: int) -> list[ChangeLog]:
    """Return the history of one record, oldest first."""
    query = select(ChangeLog).where(
        ChangeLog.entity_type == entity_type, ChangeLog.entity_id == entity_id
    )
    return list(db.session.scalars(query.order_by(ChangeLog.id)))


def test_create_update_delete_are_recorded_with_old_and_new(make_user):
    user = make_user("staff")
    set_actor(user.id)
    try:
        org = Organisation(kind="company", legal_name="Fundición Callao S.A.C.", ruc="20100047218")
        db.session.add(org)
        db.session.commit()
        org.legal_name = "Fundición del Callao S.A.C."
        db.session.commit()
        org_id = org.id
        db.session.delete(org)
        db.session.commit()
    finally:
        set_actor(None)
    created, updated, deleted = entries("organisation", org_id)
    assert created.action == "create" and created.changes["legal_name"] == [None, "Fundición Callao S.A.C."]
    assert updated.changes == {"legal_name": ["Fundición Callao S.A.C.", "Fundición del Callao S.A.C."]}
    assert updated.user_id == user.id and updated.entity_version == 2
    assert deleted.action == "delete" and deleted.changes["ruc"] == ["20100047218", None]
    assert all(e.organisation_id == org_id for e in (created, updated, deleted))


def test_saving_without_changes_records_nothing():
    org = Organisation(kind="bank", legal_name="Banco Uno")
    db.session.add(org)
    db.session.commit()
    org.legal_name = "Banco Uno"
    db.session.commit()
    assert [e.action for e in entries("organisation", org.id)] == ["create"]


def test_related_records_appear_in_the_organisation_history_with_json_safe_values():
    org = Organisation(kind="company", legal_name="Plásticos Lurín S.A.")
    db.session.add(org)
    db.session.flush()
    db.session.add(EmissionProfile(organisation_id=org.id, electricity_mwh_year=Decimal("1250.50")))
    db.session.add(Contact(organisation_id=org.id, first_name="Rosa", last_name="Quispe"))
    db.session.commit()
    rows = db.session.scalars(select(ChangeLog).where(ChangeLog.organisation_id == org.id)).all()
    kinds = {r.entity_type for r in rows}
    assert kinds == {"organisation", "emissionprofile", "contact"}
    profile = next(r for r in rows if r.entity_type == "emissionprofile")
    assert profile.changes["electricity_mwh_year"] == [None, "1250.50"]


def test_search_text_is_folded_and_not_in_history():
    org = Organisation(kind="company", legal_name="Cerámica Ñaña", trade_name="CERÁMICA", ruc=None)
    db.session.add(org)
    db.session.commit()
    assert org.search_text == "ceramica nana ceramica"
    assert "search_text" not in entries("organisation", org.id)[0].changes


def test_history_is_presented_with_labels_names_and_local_dates(make_user):
    from flask_babel import force_locale

    from crm.history import present

    owner = make_user("staff", name="Lucía Ramos")
    org = Organisation(kind="company", legal_name="Vidrios Chilca S.A.", owner_id=owner.id, size="small")
    db.session.add(org)
    db.session.commit()
    with force_locale("en"):
        entry = present(entries("organisation", org.id))[0]
    assert entry.changes["Owner"] == [None, "Lucía Ramos"]
    assert entry.changes["Size"] == [None, "Small"]
    assert "Id" not in entry.changes and "id" not in entry.changes

"""Merging two contacts keeps the registry: the merged-away person's entry moves to the survivor, or is
folded into the survivor's own entry, with its assignments and its change history; an erased person leaves
the registry and their flag with it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from crm.extensions import db
from crm.models import ChangeLog, Consultant, ConsultantAssignment, Contact
from crm.privacy.erasure import erase_contact


def merge(client, keep: Contact, drop: Contact):
    """Merge drop into keep through the merge page, keeping the survivor's values."""
    form = {f"choice_{name}": "keep" for name in ("first_name", "last_name", "email", "organisation_id")}
    form |= {"keep_version": keep.version_id, "drop_version": drop.version_id}
    return client.post(f"/imports/merge/contacts/{keep.id}/{drop.id}", data=form)


def register(client, contact: Contact, **extra) -> Consultant:
    """Register a contact through the registry's form and return the entry."""
    data = {"contact_id": contact.id, "specialisms": ["recp"]} | extra
    assert client.post("/consultants/new", data=data).status_code == 302
    db.session.expire_all()
    return db.session.scalars(select(Consultant).where(Consultant.contact_id == contact.id)).one()


def history_of(consultant_id: int) -> list[ChangeLog]:
    """Return an entry's change history, oldest first."""
    query = select(ChangeLog).where(
        ChangeLog.entity_type == "consultant", ChangeLog.entity_id == consultant_id
    )
    return list(db.session.scalars(query.order_by(ChangeLog.id)))


def test_the_merged_away_contacts_entry_moves_to_the_survivor(client, login, world, make_user):
    login(make_user("manager"))
    entry = register(client, world.rosa, qualified_on="2026-02-01", region="Callao")
    db.session.add(ConsultantAssignment(consultant_id=entry.id, engagement_id=world.engagement.id,
                                        role="Auditora", started_on=date(2026, 2, 10)))  # fmt: skip
    db.session.commit()
    entry_id, rosa_id, jorge_id = entry.id, world.rosa.id, world.jorge.id
    assert merge(client, world.jorge, world.rosa).status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, rosa_id) is None
    moved = db.session.get(Consultant, entry_id)
    assert (moved.contact_id, moved.status, moved.region) == (jorge_id, "qualified", "Callao")
    assert [a.engagement_id for a in moved.assignments] == [world.engagement.id]
    assert db.session.get(Contact, jorge_id).qualified_consultant is True  # the mirror follows
    changes = [entry.changes for entry in history_of(entry_id)]
    assert changes[0]["contact_id"][1] == rosa_id and changes[-1]["contact_id"] == [rosa_id, jorge_id]


def test_two_entries_become_one_with_both_histories(client, login, world, make_user):
    login(make_user("manager"))
    kept = register(client, world.jorge, specialisms=["finance"])  # a candidate, no region
    folded = register(client, world.rosa, specialisms=["recp", "chemicals"], qualified_on="2026-01-20",
                      region="Lima", notes="Auditora energética")  # fmt: skip
    for consultant, engagement in (
        (kept, world.engagement),
        (folded, world.engagement),
        (folded, world.other_engagement),
    ):
        db.session.add(ConsultantAssignment(consultant_id=consultant.id, engagement_id=engagement.id,
                                            role="Asesor", started_on=date(2026, 2, 1) if consultant is kept
                                            else date(2026, 1, 25)))  # fmt: skip
    db.session.commit()
    kept_id, folded_id, jorge_id = kept.id, folded.id, world.jorge.id
    assert merge(client, world.jorge, world.rosa).status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultant, folded_id) is None
    survivor = db.session.get(Consultant, kept_id)
    assert survivor.specialism_list == ["recp", "chemicals", "finance"]
    assert (survivor.status, survivor.qualified_on, survivor.region) == (
        "qualified",
        date(2026, 1, 20),
        "Lima",
    )
    assert survivor.notes == "Auditora energética"
    assert sorted(a.engagement_id for a in survivor.assignments) == sorted(
        [world.engagement.id, world.other_engagement.id]
    )
    same = next(a for a in survivor.assignments if a.engagement_id == world.engagement.id)
    assert same.started_on == date(2026, 1, 25)  # the earlier of the two assignments to that programme
    assert db.session.get(Contact, jorge_id).qualified_consultant is True
    history = history_of(kept_id)
    assert {entry.action for entry in history} >= {"create", "merge"}
    assert sum(1 for entry in history if entry.action == "create") == 2  # the folded entry's history moved
    assert history[-1].action == "merge" and history[-1].changes["status"] == ["candidate", "qualified"]
    page = client.get(f"/consultants/{kept_id}").get_data(as_text=True)
    assert "Auditora energética" in page


def test_an_erased_person_leaves_the_registry_and_is_no_longer_flagged(client, login, world, make_user):
    login(make_user("manager"))
    register(client, world.rosa, qualified_on="2026-02-01")
    rosa_id = world.rosa.id
    erase_contact(rosa_id, None, "Solicitud escrita")
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalars(select(Consultant)).all() == []
    assert db.session.get(Contact, rosa_id).qualified_consultant is False

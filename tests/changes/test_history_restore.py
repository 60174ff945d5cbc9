"""History in the user's language, grouped per save, and restoring a field or a whole save."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from crm.extensions import db
from crm.models import ChangeLog, Engagement, Letter, Organisation, Programme

RUC_A, RUC_B = "20100047218", "20100070970"


def changes_of(org: Organisation) -> list[ChangeLog]:
    """Return the organisation's own change rows, oldest first."""
    query = select(ChangeLog).where(ChangeLog.entity_type == "organisation", ChangeLog.entity_id == org.id)
    return list(db.session.scalars(query.order_by(ChangeLog.id)))


def edit(org: Organisation, **values) -> ChangeLog:
    """Change fields in one transaction (one save) and return its change row."""
    for key, value in values.items():
        setattr(org, key, value)
    db.session.commit()
    return changes_of(org)[-1]


def restore(client, row: ChangeLog, field: str, org: Organisation):
    """Press a field's restore button."""
    form = {"field": field, "next": f"/organisations/{org.id}"}
    return client.post(f"/changes/{row.id}/restore", data=form, follow_redirects=True)


def test_history_names_people_programmes_and_formats_amounts(client, en_user, login, make_org, ref):
    owner = en_user("staff", name="Rosa Quispe")
    org = make_org("Fundición Callao SAC")
    edit(org, owner_id=owner.id, sector_id=ref.division.id)
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    db.session.add(
        Engagement(
            organisation_id=org.id, programme_id=programme.id, stage="contacted", stage_since=date(2026, 3, 2)
        )
    )
    db.session.add(
        Letter(
            kind="cofinance",
            organisation_id=org.id,
            status="signed",
            signed_on=date(2026, 3, 9),
            amount=Decimal("1234567.5"),
            currency="USD",
        )
    )
    db.session.commit()
    login(en_user("manager"))
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    history = html[html.index('id="history"') :]
    assert '<span class="field-label">Owner</span>: — → Rosa Quispe' in history
    assert "Z91 – Test foundries" in history
    assert f'<span class="field-label">Programme</span>: — → {programme.name_en}' in history
    assert "1,234,567.5" in history and "Mar 9, 2026" in history
    assert "owner_id<" not in history and "programme_id<" not in history  # no column names shown


def test_one_save_is_one_group_and_a_manager_restores_it_whole(client, en_user, login, make_org):
    org = make_org("Fundición Callao SAC", ruc=RUC_A)
    row = edit(org, legal_name="Fundición del Callao SAC", trade_name="FunCallao")
    manager = login(en_user("manager"))
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert html.count('class="save"') == 2 and "Restore the whole save" in html
    page = client.post(
        f"/changes/saves/{row.save_id}/restore",
        data={"next": f"/organisations/{org.id}"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The save was undone: 2 fields restored." in page
    db.session.refresh(org)
    assert (org.legal_name, org.trade_name) == ("Fundición Callao SAC", None)
    undo = changes_of(org)[-1]
    assert undo.user_id == manager.id and undo.save_id != row.save_id
    assert undo.changes["legal_name"] == ["Fundición del Callao SAC", "Fundición Callao SAC"]


def test_restoring_one_field_leaves_the_others_and_is_audited(client, en_user, login, make_org):
    org = make_org("Fundición Callao SAC")
    row = edit(org, legal_name="Fundición del Callao SAC", trade_name="FunCallao")
    login(en_user("manager"))
    page = restore(client, row, "trade_name", org).get_data(as_text=True)
    assert "Trade name was restored to its earlier value." in page
    db.session.refresh(org)
    assert (org.legal_name, org.trade_name) == ("Fundición del Callao SAC", None)
    assert changes_of(org)[-1].changes == {"trade_name": ["FunCallao", None]}


def test_a_field_changed_again_since_is_not_restored(client, en_user, login, make_org):
    org = make_org("Name 1")
    first = edit(org, legal_name="Name 2")
    edit(org, legal_name="Name 3")
    login(en_user("manager"))
    page = restore(client, first, "legal_name", org).get_data(as_text=True)
    assert "Legal name was changed again after this change; nothing was restored." in page
    db.session.refresh(org)
    assert org.legal_name == "Name 3" and len(changes_of(org)) == 3


def test_a_restore_that_breaks_a_rule_is_refused_whole(client, en_user, login, make_org):
    org = make_org("Fundición Callao SAC", ruc=RUC_A)
    row = edit(org, ruc=RUC_B, trade_name="FunCallao")
    make_org("Otra Empresa SAC", ruc=RUC_A)  # took the old RUC meanwhile
    login(en_user("manager"))
    page = client.post(f"/changes/saves/{row.save_id}/restore", data={"next": "/"}, follow_redirects=True)
    assert "Another organisation already has this RUC: Otra Empresa SAC" in page.get_data(as_text=True)
    db.session.refresh(org)
    assert (org.ruc, org.trade_name) == (RUC_B, "FunCallao")  # nothing half-restored


def test_an_inactive_owner_cannot_be_restored(client, en_user, login, make_org):
    former = en_user("staff", name="Ex Staff")
    org = make_org("Fundición Callao SAC", owner_id=former.id)
    row = edit(org, owner_id=en_user("staff").id)
    former.active = False
    db.session.commit()
    login(en_user("manager"))
    page = restore(client, row, "owner_id", org).get_data(as_text=True)
    assert "Owner: Ex Staff can no longer be chosen." in page
    db.session.refresh(org)
    assert org.owner_id != former.id


def test_stages_and_creations_are_not_restored_from_the_history(client, en_user, login, make_org):
    org = make_org("Fundición Callao SAC")
    programme = db.session.scalars(select(Programme)).first()
    engagement = Engagement(
        organisation_id=org.id, programme_id=programme.id, stage="contacted", stage_since=date(2026, 3, 2)
    )
    db.session.add(engagement)
    db.session.commit()
    engagement.stage = "meeting_held"
    db.session.commit()
    moved = db.session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "engagement")).all()
    login(en_user("manager"))
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert 'name="field" value="stage"' not in html  # no button offered
    page = restore(client, moved[-1], "stage", org).get_data(as_text=True)
    assert "Stage cannot be restored from the history; edit the record instead." in page
    page = restore(client, changes_of(org)[0], "legal_name", org).get_data(as_text=True)
    assert "this one created or deleted it" in page
    db.session.refresh(engagement)
    assert engagement.stage == "meeting_held"


def test_staff_see_no_restore_button_and_may_not_restore(client, en_user, login, make_org):
    org = make_org("Name 1")
    row = edit(org, legal_name="Name 2")
    login(en_user("staff"))
    assert "Restore" not in client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert client.post(f"/changes/{row.id}/restore", data={"field": "legal_name"}).status_code == 404
    db.session.refresh(org)
    assert org.legal_name == "Name 2"

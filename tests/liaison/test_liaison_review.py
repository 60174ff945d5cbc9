"""The monthly review: status with a note in the history, confirm-all, filters, coarse participation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, func, select

from crm.extensions import db
from crm.models import ChangeLog, Membership, Organisation, utcnow


def updates(*conditions) -> list[ChangeLog]:
    """Return the membership updates matching the conditions, oldest first (fixtures wrote the creates)."""
    query = select(ChangeLog).where(ChangeLog.entity_type == "membership", ChangeLog.action == "update")
    return list(db.session.scalars(query.where(*conditions).order_by(ChangeLog.id)))


def membership_changes(membership_id: int) -> list[ChangeLog]:
    """Return a membership's update rows, oldest first."""
    return updates(ChangeLog.entity_id == membership_id)


def test_status_change_with_note_is_in_the_history(client, world, as_liaison):
    data = {"status": "lapsed", "note": "Dejó de pagar la cuota en marzo", "back": "status=active&page=1"}
    response = client.post(f"/portal/members/{world.m_member.id}", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/portal/{world.assoc.id}?status=active#m-{world.m_member.id}"
    )
    membership = db.session.get(Membership, world.m_member.id)
    assert membership.status == "lapsed"
    assert membership.last_reviewed_by_id == world.liaison.id
    assert utcnow() - membership.last_reviewed_at.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)
    [row] = membership_changes(world.m_member.id)
    assert (row.action, row.user_id, row.organisation_id) == ("update", world.liaison.id, world.member.id)
    assert row.changes["status"] == ["active", "lapsed"]
    assert row.changes["note"] == [None, "Dejó de pagar la cuota en marzo"]
    assert row.changes["last_reviewed_by_id"] == [None, world.liaison.id]
    html = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    assert "Fundición Miembro SAC: saved." in html


def test_staff_see_the_note_in_the_company_history(client, world, login):
    login(world.liaison)
    client.post(f"/portal/members/{world.m_member.id}", data={"status": "left", "note": "Cerró la planta"})
    client.post("/auth/logout")
    login(world.staff)
    html = client.get(f"/organisations/{world.member.id}").get_data(as_text=True)
    assert "Cerró la planta" in html


def test_saving_without_a_note_still_records_the_review(client, world, as_liaison):
    client.post(f"/portal/members/{world.m_member2.id}", data={"status": "active"})
    [row] = membership_changes(world.m_member2.id)
    assert "status" not in row.changes and "note" not in row.changes
    assert row.changes["last_reviewed_by_id"] == [None, world.liaison.id]


def test_bad_status_or_long_note_change_nothing(client, world, as_liaison):
    for data in ({"status": "bogus"}, {"status": "left", "note": "x" * 501}):
        response = client.post(f"/portal/members/{world.m_member.id}", data=data)
        assert response.status_code == 302
        membership = db.session.get(Membership, world.m_member.id)
        assert (membership.status, membership.last_reviewed_at) == ("active", None)
    assert membership_changes(world.m_member.id) == []
    html = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    assert "Field cannot be longer than 500 characters." in html


def test_the_script_gets_a_short_json_answer(client, world, as_liaison):
    headers = {"X-Requested-With": "fetch"}
    response = client.post(f"/portal/members/{world.m_member.id}", data={"status": "left"}, headers=headers)
    assert response.status_code == 200
    answer = {key: response.json[key] for key in ("ok", "message", "status")}
    assert answer == {"ok": True, "message": "Fundición Miembro SAC: saved.", "status": "left"}
    assert response.json["pick"].startswith(f"{world.m_member.id}:")  # the row's box: id and new version
    response = client.post(f"/portal/members/{world.m_member.id}", data={"status": "x"}, headers=headers)
    assert response.status_code == 400 and response.json["ok"] is False
    assert "Status" in response.json["message"]


def test_spanish_is_the_default_language_of_the_messages(client, world, make_liaison, login):
    liaison = make_liaison(world.assoc)
    liaison.locale = "es"
    db.session.commit()
    login(liaison)
    headers = {"X-Requested-With": "fetch"}
    response = client.post(f"/portal/members/{world.m_member.id}", data={"status": "x"}, headers=headers)
    assert response.status_code == 400 and response.json["message"].startswith("Estado")


def test_confirm_all_reviews_exactly_that_associations_members(client, world, as_liaison):
    response = client.post(f"/portal/{world.assoc.id}/confirm")
    assert response.status_code == 302
    rows = {m.id: m for m in db.session.scalars(select(Membership))}
    mine = {world.m_member.id, world.m_member2.id, world.m_both.id}
    for ident, membership in rows.items():
        if ident in mine:
            assert membership.last_reviewed_by_id == world.liaison.id, ident
            assert membership.last_reviewed_at is not None
        else:
            assert (membership.last_reviewed_by_id, membership.last_reviewed_at) == (None, None), ident
    assert {row.entity_id for row in updates(ChangeLog.user_id == world.liaison.id)} == mine
    assert len(updates()) == 3
    html = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    assert "3 members confirmed as reviewed." in html


def test_confirm_all_follows_the_list_filters(client, world, as_liaison):
    db.session.get(Membership, world.m_member2.id).status = "lapsed"
    db.session.commit()
    response = client.post(f"/portal/{world.assoc.id}/confirm", data={"status": "lapsed"})
    assert response.headers["Location"].endswith(f"/portal/{world.assoc.id}?status=lapsed")
    reviewed = db.session.scalars(select(Membership.id).where(Membership.last_reviewed_at.is_not(None))).all()
    assert reviewed == [world.m_member2.id]


def test_confirm_all_of_two_hundred_members_uses_few_queries(client, world, as_liaison):
    companies = [Organisation(kind="company", legal_name=f"Empresa {i:03}") for i in range(200)]
    db.session.add_all(companies)
    db.session.flush()
    db.session.add_all(Membership(company_id=c.id, association_id=world.assoc.id) for c in companies)
    db.session.commit()
    statements: list[str] = []
    record = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        client.post(f"/portal/{world.assoc.id}/confirm")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) < 15, selects
    assert len(statements) < 25, len(statements)  # the 200 UPDATEs and history rows go as executemany
    assert not [s for s in statements if "company_days" in s]  # a review changes no report row: no refresh
    done = select(func.count()).where(Membership.last_reviewed_by_id == world.liaison.id)
    assert db.session.scalar(done) == 203
    assert len(updates(ChangeLog.user_id == world.liaison.id)) == 203


def test_filters_status_stale_and_search(client, world, as_liaison):
    db.session.get(Membership, world.m_member2.id).status = "lapsed"
    db.session.get(Membership, world.m_member.id).last_reviewed_at = utcnow() - timedelta(days=10)
    db.session.get(Membership, world.m_both.id).last_reviewed_at = utcnow() - timedelta(days=120)
    db.session.commit()
    url = f"/portal/{world.assoc.id}"

    def names(**args) -> set[str]:
        html = client.get(url, query_string=args).get_data(as_text=True)
        return {
            n for n in ("Fundición Miembro SAC", "Textiles Andinos SAC", "Plásticos Ambos SAC") if n in html
        }

    assert names(status="lapsed") == {"Textiles Andinos SAC"}
    assert names(stale="1") == {"Textiles Andinos SAC", "Plásticos Ambos SAC"}
    assert names(q="fundicion") == {"Fundición Miembro SAC"}
    assert names(q="20100070970") == {"Fundición Miembro SAC"}
    assert names(status="nonsense", stale="x") == {
        "Fundición Miembro SAC",
        "Textiles Andinos SAC",
        "Plásticos Ambos SAC",
    }
    assert "2 members have not been reviewed in 90 days." in client.get(url).get_data(as_text=True)


def test_member_list_is_paginated(client, world, as_liaison):
    companies = [Organisation(kind="company", legal_name=f"Zeta {i:03}") for i in range(60)]
    db.session.add_all(companies)
    db.session.flush()
    db.session.add_all(Membership(company_id=c.id, association_id=world.assoc.id) for c in companies)
    db.session.commit()
    first = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    second = client.get(f"/portal/{world.assoc.id}?page=2").get_data(as_text=True)
    assert "Zeta 046" in first and "Zeta 047" not in first
    assert "Zeta 047" in second and "Zeta 059" in second and "Fundición Miembro SAC" not in second
    assert "63 results · page 2 of 2" in second
    assert "Confirm all 63 listed members as reviewed" in second


def test_coarse_participation_hand_computed(client, world, as_liaison, make_engagement, make_org, programmes):
    extra = {name: make_org(name) for name in ("Decl SAC", "Comm SAC", "Prog SAC", "Iden SAC")}
    db.session.add_all(Membership(company_id=c.id, association_id=world.assoc.id) for c in extra.values())
    db.session.commit()
    make_engagement(extra["Decl SAC"], ("identified", "contacted", "declined"))
    make_engagement(extra["Comm SAC"], ("identified", "contacted", "meeting_held", "loi_signed", "assessed"))
    make_engagement(extra["Comm SAC"], ("identified", "declined"), programme=programmes.pei)
    make_engagement(extra["Prog SAC"], ("identified", "contacted", "meeting_held"))
    make_engagement(extra["Iden SAC"], ("identified",))
    expected = {
        "Decl SAC": "declined",
        "Comm SAC": "committed",  # the best engagement decides
        "Prog SAC": "in_progress",
        "Iden SAC": "not_contacted",
        "Fundición Miembro SAC": "not_contacted",  # no engagement at all
    }
    html = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    for name, status in expected.items():
        row = html[html.index(name) :]
        row = row[: row.index("</tr>")]
        assert f'class="badge participation {status}"' in row, (name, status)
        assert ("Refer to the project" in row) == (status == "not_contacted"), name


def test_member_page_queries_do_not_grow_with_members(client, world, as_liaison, make_engagement):
    def queries() -> int:
        statements: list[str] = []
        record = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(f"/portal/{world.assoc.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    few = queries()
    companies = [Organisation(kind="company", legal_name=f"Empresa {i:03}") for i in range(30)]
    db.session.add_all(companies)
    db.session.flush()
    db.session.add_all(Membership(company_id=c.id, association_id=world.assoc.id) for c in companies)
    db.session.commit()
    for company in companies[:10]:
        make_engagement(company, ("identified", "contacted"))
    assert queries() == few

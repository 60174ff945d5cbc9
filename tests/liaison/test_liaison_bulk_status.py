"""The member list's bulk status: several members at once, all or none, within the liaison's association."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm.errors import UserError
from crm.extensions import db
from crm.liaison import queries, services
from crm.models import ChangeLog, Membership, liaison_associations, utcnow


def statuses(*memberships: Membership) -> list[str]:
    """Return the stored status of each membership."""
    return [db.session.get(Membership, m.id).status for m in memberships]


def status_changes(membership: Membership) -> list[list]:
    """Return the status changes the history recorded for a membership."""
    query = select(ChangeLog.changes).where(
        ChangeLog.entity_type == "membership",
        ChangeLog.entity_id == membership.id,
        ChangeLog.action == "update",
    )
    return [changes["status"] for changes in db.session.scalars(query) if "status" in changes]


def unseen(*ids: int | None) -> list[tuple[int | None, None]]:
    """Return ticked ids without the version the list showed (the service then checks scope only)."""
    return [(ident, None) for ident in ids]


def post(client, world, *memberships: Membership, status: str = "lapsed", **extra):
    """Tick the memberships and set their status from the liaison's member list."""
    data = {"status": status, "ids": [str(m.id) for m in memberships], "back": "q=&page=1", **extra}
    return client.post(f"/portal/{world.assoc.id}/status", data=data, follow_redirects=True)


def test_ticked_members_get_the_status_and_a_review_in_their_history(client, world, as_liaison):
    page = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    version = queries.version_of(db.session.get(Membership, world.m_member.id))
    assert f'name="ids" value="{world.m_member.id}:{version}" form="bulk-status"' in page
    assert f'value="{world.m_other.id}:' not in page
    response = post(client, world, world.m_member, world.m_member2)
    assert response.status_code == 200 and "2 memberships updated." in response.get_data(as_text=True)
    assert statuses(world.m_member, world.m_member2, world.m_both) == ["lapsed", "lapsed", "active"]
    assert status_changes(world.m_member) == [["active", "lapsed"]]
    member = db.session.get(Membership, world.m_member2.id)
    assert member.last_reviewed_by_id == world.liaison.id and member.last_reviewed_at is not None


def test_a_company_outside_the_association_refuses_the_whole_batch(client, world, as_liaison):
    for foreign in (world.m_other, world.m_both_other):  # another association's members, one also ours
        response = post(client, world, world.m_member, foreign, status="left")
        text = response.get_data(as_text=True)
        assert "1 of the ticked companies is not a member you may change; nothing was changed." in text
    assert statuses(world.m_member, world.m_other, world.m_both_other) == ["active"] * 3
    assert status_changes(world.m_member) == []
    junk = {"ids": [str(world.m_member.id), "abc", str(2**40)]}
    assert b"is not a member you may change" in post(client, world, **junk).data  # junk ids: one "none"
    assert statuses(world.m_member) == ["active"]


def test_another_association_answers_404(client, world, as_liaison):
    data = {"status": "left", "ids": [str(world.m_other.id)]}
    assert client.post(f"/portal/{world.other_assoc.id}/status", data=data).status_code == 404
    assert statuses(world.m_other) == ["active"]


def test_pending_members_cannot_be_changed(client, world, as_liaison):
    db.session.get(Membership, world.m_member2.id).confirmation = "pending"
    db.session.commit()
    assert b"is not a member you may change" in post(client, world, world.m_member, world.m_member2).data
    assert statuses(world.m_member, world.m_member2) == ["active", "active"]


def test_nothing_ticked_or_an_unknown_status_changes_nothing(client, world, as_liaison):
    assert b"Tick at least one member company." in post(client, world).data
    refused = post(client, world, world.m_member, status="gone")
    assert refused.status_code == 200 and b"Not a valid choice" in refused.data
    blank = post(client, world, world.m_member, status="")  # the select's first option: no status chosen
    assert b"Choose a valid membership status." in blank.data
    assert statuses(world.m_member) == ["active"]


def test_the_service_refuses_whole_and_counts(app, world):
    with pytest.raises(UserError) as refused:
        services.set_statuses(world.liaison, world.assoc.id, unseen(world.m_member.id), "gone", utcnow())
    assert refused.value.field == "status"
    with pytest.raises(UserError, match="^2 "):  # two of three ids are not the liaison's to change
        ids = unseen(world.m_member.id, world.m_other.id, None)
        services.set_statuses(world.liaison, world.assoc.id, ids, "left", utcnow())
    with pytest.raises(UserError, match="200"):
        services.set_statuses(world.liaison, world.assoc.id, unseen(*range(1, 300)), "left", utcnow())
    db.session.rollback()
    ids = unseen(world.m_member.id, world.m_both.id, world.m_member.id)
    assert services.set_statuses(world.liaison, world.assoc.id, ids, "left", utcnow()) == 2
    db.session.commit()
    assert statuses(world.m_member, world.m_both, world.m_both_other) == ["left", "left", "active"]


def test_the_summary_is_in_spanish(client, world, login, make_user):
    spanish = make_user("liaison")
    link = liaison_associations.insert().values(user_id=spanish.id, organisation_id=world.assoc.id)
    db.session.execute(link)
    db.session.commit()
    login(spanish)
    text = post(client, world, world.m_member, world.m_member2, world.m_both).get_data(as_text=True)
    assert "3 membresías actualizadas." in text


def test_the_form_needs_its_csrf_token(app, client, world, as_liaison, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert post(client, world, world.m_member).status_code == 400
    assert statuses(world.m_member) == ["active"]
    page = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    form = page[page.index('id="bulk-status"') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert b"1 membership updated." in post(client, world, world.m_member, csrf_token=token).data
    assert statuses(world.m_member) == ["lapsed"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["member", "member2", "both", "other", "both_other", "junk"]), max_size=6))
def test_a_batch_changes_all_its_members_or_none(app, world, picks):
    ids = {
        "member": world.m_member.id,
        "member2": world.m_member2.id,
        "both": world.m_both.id,
        "other": world.m_other.id,
        "both_other": world.m_both_other.id,
        "junk": None,
    }
    chosen = [ids[pick] for pick in picks]
    own = {ids[p] for p in picks if p in ("member", "member2", "both")}
    try:
        done = services.set_statuses(world.liaison, world.assoc.id, unseen(*chosen), "left", utcnow())
    except UserError:
        done = None
    left = set(db.session.scalars(select(Membership.id).where(Membership.status == "left")))
    db.session.rollback()  # the service only flushed: the next example starts from the fixture's world
    if picks and own == set(chosen):
        assert (done, left) == (len(own), own)
    else:
        assert (done, left) == (None, set())


def test_a_member_saved_since_the_list_was_shown_refuses_the_batch(client, world, as_liaison):
    page = client.get(f"/portal/{world.assoc.id}").get_data(as_text=True)
    shown = dict(re.findall(r'name="ids" value="((\d+):\d+)"', page))
    picks = [pick for pick, ident in shown.items() if int(ident) in (world.m_member.id, world.m_member2.id)]
    other_save = {"status": "left", "note": "Cerró", "back": ""}  # a colleague's row save meanwhile
    client.post(f"/portal/members/{world.m_member2.id}", data=other_save)
    data = {"status": "lapsed", "ids": picks}
    refused = client.post(f"/portal/{world.assoc.id}/status", data=data, follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "Changed by someone since you opened the list: Textiles Andinos SAC. Nothing was changed" in text
    assert statuses(world.m_member, world.m_member2) == ["active", "left"]


def test_a_row_saved_by_the_script_gives_its_box_the_new_version(client, world, as_liaison):
    headers = {"X-Requested-With": "fetch"}
    answer = client.post(f"/portal/members/{world.m_member.id}", data={"status": "active"}, headers=headers)
    pick = answer.get_json()["pick"]
    assert pick == f"{world.m_member.id}:{queries.version_of(db.session.get(Membership, world.m_member.id))}"
    done = client.post(f"/portal/{world.assoc.id}/status", data={"status": "left", "ids": [pick]})
    assert done.status_code == 302 and statuses(world.m_member) == ["left"]

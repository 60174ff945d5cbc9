"""Referrals: the engagement at 'identified' with its source, the outbox notice, the counts, staff panels."""

from __future__ import annotations

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Engagement, OutboxMessage, StageTransition


def outbox() -> list[OutboxMessage]:
    """Return the outbox rows, oldest first."""
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def refer(client, membership, programme):
    """Post the row's referral form."""
    return client.post(
        f"/portal/members/{membership.id}/refer", data={"programme_id": programme.id, "back": ""}
    )


def test_referral_creates_the_engagement_at_identified_and_notifies_the_owner(
    client, world, as_liaison, programmes
):
    response = refer(client, world.m_member, programmes.zis)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/portal/{world.assoc.id}#m-{world.m_member.id}")
    engagement = db.session.scalars(select(Engagement)).one()
    assert (engagement.organisation_id, engagement.programme_id, engagement.stage) == (
        world.member.id,
        programmes.zis.id,
        "identified",
    )
    assert (engagement.source_association_id, engagement.referred_by_id) == (world.assoc.id, world.liaison.id)
    assert engagement.referred_at is not None
    [transition] = db.session.scalars(select(StageTransition)).all()
    assert (transition.from_stage, transition.to_stage, transition.by_id) == (
        None,
        "identified",
        world.liaison.id,
    )
    [message] = outbox()
    assert (message.kind, message.recipient_id, message.status) == ("referral", world.staff.id, "pending")
    assert (message.subject_type, message.subject_id) == ("engagement", engagement.id)
    assert message.payload["association"] == "Sociedad Nacional de Industrias"
    assert message.payload["organisation_id"] == world.member.id
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fundición Miembro SAC was referred to the project." in html


def test_without_owner_the_coordinator_is_notified(
    client, app, world, as_liaison, programmes, en_user, monkeypatch
):
    coordinator = en_user("staff", email="coordinadora@pmu.pe")
    monkeypatch.setitem(app.config, "OUTREACH_COORDINATOR_EMAIL", "Coordinadora@PMU.pe")
    refer(client, world.m_member2, programmes.zis)
    [message] = outbox()
    assert message.recipient_id == coordinator.id


def test_without_owner_or_coordinator_the_first_active_manager_is_notified(
    client, app, world, as_liaison, programmes, en_user, monkeypatch
):
    monkeypatch.setitem(app.config, "OUTREACH_COORDINATOR_EMAIL", None)
    en_user("manager", name="Later Manager")
    inactive_owner = en_user("staff", active=False)
    db.session.get(type(world.member2), world.member2.id).owner_id = inactive_owner.id
    db.session.commit()
    refer(client, world.m_member2, programmes.zis)
    [message] = outbox()
    assert message.recipient_id == world.manager.id


def test_an_existing_engagement_without_source_gets_the_association(
    client, world, as_liaison, programmes, make_engagement
):
    engagement = make_engagement(world.member, ("identified", "contacted"))
    response = refer(client, world.m_member, programmes.zis)
    engagement = db.session.get(Engagement, engagement.id)
    assert (engagement.stage, engagement.source_association_id, engagement.referred_by_id) == (
        "contacted",
        world.assoc.id,
        world.liaison.id,
    )
    assert db.session.scalar(select(func.count(StageTransition.id))) == 2  # no stage change
    assert len(outbox()) == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "your association is now recorded as its source" in html


def test_an_engagement_with_a_source_is_left_alone_and_says_so(
    client, world, as_liaison, programmes, make_engagement
):
    engagement = make_engagement(world.both, ("identified",), source_association_id=world.other_assoc.id)
    response = refer(client, world.m_both, programmes.zis)
    assert db.session.get(Engagement, engagement.id).source_association_id == world.other_assoc.id
    assert outbox() == []
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "its referral was already recorded" in html
    assert "Cámara de Comercio de Lima" not in html  # the other association is not named


def test_referring_without_a_programme_is_explained(client, world, as_liaison):
    response = client.post(f"/portal/members/{world.m_member.id}/refer", data={"programme_id": ""})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose a programme." in html
    assert db.session.scalar(select(func.count(Engagement.id))) == 0


def test_referral_counts_per_coarse_status(client, world, as_liaison, make_engagement, make_org, programmes):
    mine = world.assoc.id
    make_engagement(world.member, ("identified",), source_association_id=mine)
    make_engagement(
        world.member2, ("identified", "contacted", "meeting_held", "loi_signed"), source_association_id=mine
    )
    make_engagement(
        world.member2, ("identified", "declined"), programme=programmes.pei, source_association_id=mine
    )
    make_engagement(world.both, ("identified", "contacted", "on_hold"), source_association_id=mine)
    extra = make_org("Referida Sin Membresía SAC")
    make_engagement(extra, ("identified", "contacted"), source_association_id=mine)
    make_engagement(
        world.other_member, ("identified", "contacted"), source_association_id=world.other_assoc.id
    )
    make_engagement(world.both, ("identified", "contacted"), programme=programmes.pei)  # not referred
    html = client.get(f"/portal/{mine}/referrals").get_data(as_text=True)
    expected = {"not_contacted": 1, "declined": 1, "in_progress": 1, "committed": 1}
    for rank, number in expected.items():
        row = html[html.index(f'data-rank="{rank}"') :]
        assert f'<td class="num">{number}</td>' in row[: row.index("</tr>")], rank
    assert "Referida Sin Membresía SAC" in html
    assert "Química Ajena SAC" not in html
    assert "Letter of interest signed" not in html and "On hold" not in html  # coarse only


def test_association_panel_shows_the_member_funnel_and_referrals(client, world, login, make_engagement):
    make_engagement(world.member, ("identified", "contacted", "meeting_held", "loi_signed", "declined"))
    make_engagement(
        world.member2,
        ("identified", "contacted"),
        source_association_id=world.assoc.id,
        referred_by_id=world.liaison.id,
    )
    make_engagement(world.both, ("identified",))
    make_engagement(world.other_member, ("identified", "contacted", "meeting_held"))  # not a member
    login(world.manager)
    html = client.get(f"/organisations/{world.assoc.id}").get_data(as_text=True)
    assert "Member funnel" in html
    funnel = html[html.index('id="association-funnel"') : html.index('id="association-referrals"')]
    expected = {
        "Identified": 3,
        "Contacted": 2,
        "Meeting held": 1,
        "Letter of interest signed": 1,
        "Assessed": 0,
    }
    for stage, number in expected.items():
        row = funnel[funnel.index(f"<td>{stage}</td>") :]
        assert row[: row.index("</tr>")].endswith(f'<td class="num">{number}</td>'), stage
    referrals = html[html.index('id="association-referrals"') :]
    row = referrals[referrals.index("Textiles Andinos SAC") :]
    row = row[: row.index("</tr>")]
    assert "Contacted" in row and world.liaison.name in row


def test_company_panel_shows_who_referred_it(client, world, login, make_engagement):
    make_engagement(
        world.member, ("identified",), source_association_id=world.assoc.id, referred_by_id=world.liaison.id
    )
    login(world.staff)
    html = client.get(f"/organisations/{world.member.id}").get_data(as_text=True)
    section = html[html.index('id="referral"') :]
    assert "Sociedad Nacional de Industrias" in section and world.liaison.name in section


def test_panels_are_hidden_from_liaisons(client, world, as_liaison, make_engagement):
    make_engagement(world.both, ("identified", "contacted"), source_association_id=world.other_assoc.id)
    for org in (world.assoc, world.both):
        html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
        assert 'id="association-funnel"' not in html and 'id="referral"' not in html
        assert "Cámara de Comercio de Lima" not in html


def test_viewers_see_the_association_panel(client, world, en_user, login):
    login(en_user("viewer"))
    assert 'id="association-funnel"' in client.get(f"/organisations/{world.assoc.id}").get_data(as_text=True)

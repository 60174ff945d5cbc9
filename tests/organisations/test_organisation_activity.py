"""The organisation page's summary header and its activity timeline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from crm.extensions import db
from crm.models import Engagement, FollowUp, Interaction, Letter, Programme, StageTransition


def activity_of(html: str) -> str:
    """Return the activity section of an organisation page."""
    return html[html.index('id="activity"') : html.index('id="contacts"')]


def world(make_org, staff_user):
    """A company with an engagement, a stage move, two interactions (one an e-mail), a letter, a follow-up."""
    org = make_org("Fundición Callao SAC", owner_id=staff_user.id)
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    engagement = Engagement(
        organisation_id=org.id, programme_id=programme.id, stage="meeting_held", stage_since=date(2026, 3, 5)
    )
    db.session.add(engagement)
    db.session.flush()
    db.session.add(
        StageTransition(
            engagement_id=engagement.id,
            from_stage="contacted",
            to_stage="meeting_held",
            occurred_on=date(2026, 3, 5),
            by_id=staff_user.id,
        )
    )
    call = Interaction(
        organisation_id=org.id,
        kind="call",
        occurred_on=date(2026, 3, 1),
        staff_id=staff_user.id,
        summary="Primera llamada al gerente",
    )
    mail = Interaction(
        organisation_id=org.id,
        kind="email",
        occurred_on=date(2026, 3, 8),
        staff_id=staff_user.id,
        summary="Envío de la ficha del programa",
    )
    db.session.add_all([call, mail])
    db.session.flush()
    db.session.add(
        FollowUp(
            organisation_id=org.id,
            interaction_id=call.id,
            assignee_id=staff_user.id,
            due_on=date(2026, 3, 20),
            description="Confirmar visita",
        )
    )
    db.session.add(
        Letter(
            kind="cofinance",
            organisation_id=org.id,
            status="signed",
            signed_on=date(2026, 3, 10),
            amount=Decimal("25000"),
            currency="USD",
        )
    )
    db.session.commit()
    return org, programme


def test_summary_header_tells_stage_owner_last_contact_and_follow_ups(client, en_user, login, make_org):
    staff = en_user("staff", name="Rosa Quispe")
    org, programme = world(make_org, staff)
    login(staff)
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    head = html[html.index("org-summary") : html.index('class="section-nav"')]
    assert f"{programme.code}: Meeting held" in head and "Rosa Quispe" in head
    assert "Mar 8, 2026" in head  # the last interaction
    assert "1 · next Mar 20, 2026" in head and "Signed: 1" in head


def test_timeline_mixes_kinds_newest_first_and_filters_by_type(client, en_user, login, make_org):
    staff = en_user("staff")
    org, _programme = world(make_org, staff)
    login(staff)
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    activity = html[html.index('id="activity"') :]
    order = ["Co-finance", "Envío de la ficha", "Contacted → Meeting held", "Primera llamada"]
    positions = [activity.index(text) for text in order]
    assert positions == sorted(positions)
    only_mail = client.get(f"/organisations/{org.id}?activity=email").get_data(as_text=True)
    only_mail = activity_of(only_mail)
    assert (
        "Envío de la ficha" in only_mail
        and "Primera llamada" not in only_mail
        and "Co-finance" not in only_mail
    )
    stages = activity_of(client.get(f"/organisations/{org.id}?activity=stage").get_data(as_text=True))
    assert "Contacted → Meeting held" in stages and "Primera llamada" not in stages


def test_timeline_is_paginated(app, client, en_user, login, make_org, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    staff = en_user("staff")
    org, _programme = world(make_org, staff)
    login(staff)
    first = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert (
        "4 results · page 1 of 2" in first and "Primera llamada" not in first[first.index('id="activity"') :]
    )
    second = client.get(f"/organisations/{org.id}?apage=2").get_data(as_text=True)
    assert "Primera llamada" in second


def test_liaisons_see_no_activity_nor_internal_figures(client, login, liaison_world):
    login(liaison_world.liaison)
    html = client.get(f"/organisations/{liaison_world.member.id}").get_data(as_text=True)
    assert 'id="activity"' not in html and "Open follow-ups" not in html and "Stage per programme" not in html


def test_an_empty_timeline_offers_to_log_an_interaction(client, en_user, login, make_org):
    org = make_org("Nueva SAC")
    login(en_user("staff"))
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Nothing recorded yet." in html and f"/interactions/new?organisation_id={org.id}" in html


def test_the_list_names_the_sector_and_shows_the_stage_per_programme(client, en_user, login, make_org, ref):
    staff = en_user("staff")
    org, programme = world(make_org, staff)
    org.sector_id = ref.division.id
    db.session.commit()
    login(staff)
    html = client.get("/organisations/").get_data(as_text=True)
    row = html[html.index("Fundición Callao SAC") :]
    assert "Test foundries" in row and f"{programme.code}: Meeting held" in row

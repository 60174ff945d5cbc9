"""The organisation page's pipeline section and starting an engagement from it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crm import clock
from crm.extensions import db
from crm.models import Engagement, Programme, StageTransition
from crm.pipeline.panels import org_panel
from tests.pipeline.conftest import count
from tests.test_query_counts import counted


def section(page: str) -> str:
    """Return the pipeline section of an organisation page."""
    start = page.index('<section class="card" id="pipeline">')
    return page[start : page.index("</section>", start)]


def engage(client, org, **data):
    """POST the engage form of the organisation page."""
    form = {"engage-occurred_on": clock.today().isoformat(), "engage-to_stage": "identified"}
    form.update({f"engage-{key}": value for key, value in data.items()})
    return client.post(f"/pipeline/organisations/{org.id}/engage", data=form)


def test_section_shows_engagement_referral_and_timeline(
    client, staff, make_org, make_engagement, barrier, pei, today
):
    org = make_org("Fundición Timeline SAC")
    assoc = make_org("Sociedad Nacional de Industrias", kind="association")
    engagement = make_engagement(
        org, stage="contacted", since=today - timedelta(days=9), source_association_id=assoc.id
    )
    db.session.add(
        StageTransition(
            engagement_id=engagement.id,
            from_stage="contacted",
            to_stage="on_hold",
            occurred_on=today - timedelta(days=2),
            by_id=staff.id,
            note="Esperan presupuesto",
            barrier_id=barrier.id,
        )
    )
    engagement.stage, engagement.stage_since = "on_hold", today - timedelta(days=2)
    db.session.commit()
    part = section(client.get(f"/organisations/{org.id}").get_data(as_text=True))
    assert "Sustainable industrial zone of Callao" in part and "On hold" in part
    assert f'href="/organisations/{assoc.id}">Sociedad Nacional de Industrias<' in part
    assert "Contacted → On hold" in " ".join(part.split())
    assert "Sofía Staff" in part and "Esperan presupuesto" in part
    assert "Conversion is not a priority at this time" in part
    assert f"/pipeline/engagements/{engagement.id}/move" in part
    assert (
        "Eco-industrial parks" in part and 'action="/pipeline/organisations/' in part
    )  # engage in the other one


def test_section_hidden_for_liaison_and_other_kinds(client, login, make_org, make_engagement, liaison_world):
    make_engagement(liaison_world.member, stage="contacted")
    login(liaison_world.liaison)
    page = client.get(f"/organisations/{liaison_world.member.id}").get_data(as_text=True)
    assert 'id="pipeline"' not in page
    assert org_panel(liaison_world.liaison, liaison_world.member) is None
    assert org_panel(liaison_world.liaison, liaison_world.assoc) is None


def test_viewer_sees_timeline_but_no_forms(client, en_user, login, make_engagement):
    engagement = make_engagement(stage="contacted")
    login(en_user("viewer"))
    part = section(client.get(f"/organisations/{engagement.organisation_id}").get_data(as_text=True))
    assert "Contacted" in part
    assert "/move" not in part and '/engage"' not in part


def test_section_queries_do_not_grow_with_engagements_and_transitions(
    client, staff, en_user, make_org, make_engagement, pei, today
):
    db.session.add(Programme(code="TEST-3", name_es="Tercero", name_en="Third", active=True))
    org = make_org()
    first = make_engagement(org, stage="contacted", since=today - timedelta(days=30))

    def add_transitions(n: int, by_id: int) -> None:
        """Add n timeline rows recorded by the given user."""
        for day in range(n):
            db.session.add(
                StageTransition(
                    engagement_id=first.id,
                    from_stage="contacted",
                    to_stage="contacted",
                    occurred_on=today - timedelta(days=day),
                    by_id=by_id,
                    note=f"n{day}",
                )
            )
        db.session.commit()

    add_transitions(1, staff.id)
    url = f"/organisations/{org.id}"
    with counted() as few:
        assert client.get(url).status_code == 200
    make_engagement(org, stage="contacted", programme=pei, since=today - timedelta(days=30))
    add_transitions(10, en_user("manager").id)
    with counted() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_engage_starts_engagement_with_first_transition(client, staff, make_org, make_membership, zis, today):
    org = make_org("Nueva SAC")
    assoc = make_org("Gremio", kind="association")
    make_membership(org, assoc)
    last_week = (today - timedelta(days=7)).isoformat()
    response = engage(
        client,
        org,
        programme_id=zis.id,
        to_stage="meeting_held",
        occurred_on=last_week,
        note="Primera reunión",
        source_association_id=assoc.id,
    )
    assert response.status_code == 302 and response.location.endswith(f"/organisations/{org.id}#pipeline")
    engagement = db.session.scalars(select(Engagement)).one()
    assert (engagement.organisation_id, engagement.programme_id, engagement.stage) == (
        org.id,
        zis.id,
        "meeting_held",
    )
    assert engagement.source_association_id == assoc.id and engagement.stage_since.isoformat() == last_week
    transition = db.session.scalars(select(StageTransition)).one()
    assert (transition.from_stage, transition.to_stage, transition.by_id, transition.note) == (
        None,
        "meeting_held",
        staff.id,
        "Primera reunión",
    )


def test_engage_refusals_change_nothing(client, staff, make_org, make_engagement, zis, pei, today):
    org = make_org()
    stranger = make_org("Gremio ajeno", kind="association")
    make_engagement(org, stage="contacted", programme=zis)
    cases = [
        ({"programme_id": zis.id}, "already engaged in this programme"),
        ({"programme_id": pei.id, "to_stage": "assessed"}, "starts at identified, contacted or meeting held"),
        ({"programme_id": pei.id, "occurred_on": (today + timedelta(days=1)).isoformat()}, "in the future"),
        ({"programme_id": pei.id, "source_association_id": stranger.id}, "one of the company"),
        ({"programme_id": "999999"}, "Choose an active programme."),
    ]
    for data, message in cases:
        response = engage(client, org, **data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert engage(client, org, programme_id=pei.id, occurred_on="mañana").status_code == 400
    assert count(Engagement) == 1 and count(StageTransition) == 1


def test_engage_only_companies_and_only_movers(
    client, second_client, en_user, login, login_other, make_org, zis
):
    assoc = make_org("Gremio", kind="association")
    login(en_user("staff"))
    assert engage(client, assoc, programme_id=zis.id).status_code == 404
    company = make_org()
    login_other(en_user("viewer"))
    assert second_client.get(f"/pipeline/organisations/{company.id}/engage").status_code == 404
    assert count(Engagement) == 0


def test_engage_page_when_every_programme_is_taken(client, staff, make_org, make_engagement, zis, pei):
    org = make_org()
    make_engagement(org, programme=zis)
    make_engagement(org, programme=pei)
    page = client.get(f"/pipeline/organisations/{org.id}/engage").get_data(as_text=True)
    assert "already takes part in every active programme" in page
    assert '/engage"' not in section(client.get(f"/organisations/{org.id}").get_data(as_text=True))

"""A signed letter of interest that alone keeps an engagement past the gate cannot be deleted or
withdrawn; the user is told to move the engagement back first, or does both in the same form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from letters_support import count, form
from sqlalchemy import select

from crm.clock import today
from crm.errors import UserError
from crm.extensions import db
from crm.letters import services
from crm.models import Engagement, Letter, Programme, StageTransition

REFUSED = "Move the engagement back to an earlier stage first"


def programme(code: str) -> Programme:
    """Return a migrated programme."""
    return db.session.scalars(select(Programme).where(Programme.code == code)).one()


def engage(org, stage: str, code: str = "ZIS-CALLAO") -> Engagement:
    """Put the company at a stage of a programme, with the transition that put it there."""
    since = today() - timedelta(days=20)
    engagement = Engagement(
        organisation_id=org.id, programme_id=programme(code).id, stage=stage, stage_since=since
    )
    engagement.transitions.append(StageTransition(from_stage=None, to_stage=stage, occurred_on=since))
    db.session.add(engagement)
    db.session.commit()
    return engagement


def signed(make_letter, org, **fields) -> Letter:
    """Record a signed letter of interest requested 40 days ago and signed 30 days ago."""
    return make_letter(
        org,
        status="signed",
        requested_on=today() - timedelta(days=40),
        signed_on=today() - timedelta(days=30),
        **fields,
    )


def withdraw_form(letter: Letter, **changes) -> dict:
    """Return the edit form of a signed letter with some values changed."""
    values = {
        "status": "signed",
        "requested_on": letter.requested_on.isoformat(),
        "signed_on": letter.signed_on.isoformat(),
        "programme_id": letter.programme_id or "",
        "version": letter.version_id,
    }
    return form(**{**values, **changes})


def stage_of(engagement: Engagement) -> str:
    """Read the engagement's stage again from the database."""
    db.session.expire_all()
    return db.session.get(Engagement, engagement.id).stage


@pytest.mark.parametrize("stage", ["loi_signed", "assessed", "adopting"])
def test_deleting_the_only_signed_letter_past_the_gate_is_refused(client, login, world, make_letter, stage):
    engagement = engage(world.company, stage)
    letter = signed(make_letter, world.company)
    login(world.staff)
    response = client.post(f"/letters/{letter.id}/delete", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert REFUSED in page and "Fundición Callao SAC" in page
    assert count(Letter) == 1 and stage_of(engagement) == stage


def test_withdrawing_the_only_signed_letter_past_the_gate_is_refused(client, login, world, make_letter):
    engagement = engage(world.company, "loi_signed")
    letter = signed(make_letter, world.company)
    login(world.staff)
    withdrawals = ({"status": "withdrawn"}, {"status": "requested", "signed_on": ""}, {"kind": "cooperation"})
    for changes in withdrawals:
        response = client.post(f"/letters/{letter.id}/edit", data=withdraw_form(letter, **changes))
        assert response.status_code == 400
        assert REFUSED in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).status == "signed" and stage_of(engagement) == "loi_signed"


def test_pointing_the_letter_at_another_programme_is_refused(client, login, world, make_letter):
    engage(world.company, "assessed")
    letter = signed(make_letter, world.company)
    login(world.staff)
    data = withdraw_form(letter, programme_id=programme("PEI").id)
    response = client.post(f"/letters/{letter.id}/edit", data=data)
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).programme_id is None


def test_deleting_one_of_two_signed_letters_is_allowed(client, login, world, make_letter):
    engagement = engage(world.company, "assessed")
    first = signed(make_letter, world.company)
    signed(make_letter, world.company, programme_id=programme("ZIS-CALLAO").id)
    login(world.staff)
    assert client.post(f"/letters/{first.id}/delete").status_code == 302
    assert count(Letter) == 1 and stage_of(engagement) == "assessed"


def test_a_letter_for_another_programme_does_not_count(client, login, world, make_letter):
    engage(world.company, "assessed")
    letter = signed(make_letter, world.company)
    signed(make_letter, world.company, programme_id=programme("PEI").id)
    login(world.staff)
    client.post(f"/letters/{letter.id}/delete")
    assert count(Letter) == 2


@pytest.mark.parametrize("stage", ["meeting_held", "withdrawn", "declined"])
def test_letters_of_engagements_not_past_the_gate_can_go(client, login, world, make_letter, stage):
    engage(world.company, stage)
    letter = signed(make_letter, world.company)
    login(world.staff)
    assert client.post(f"/letters/{letter.id}/delete").status_code == 302
    assert count(Letter) == 0


def test_withdrawing_is_allowed_once_another_letter_covers(client, login, world, make_letter):
    engage(world.company, "loi_signed")
    letter = signed(make_letter, world.company)
    signed(make_letter, world.company)
    login(world.staff)
    response = client.post(f"/letters/{letter.id}/edit", data=withdraw_form(letter, status="withdrawn"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).status == "withdrawn"


def test_service_refuses_and_changes_nothing(world, make_letter):
    engagement = engage(world.company, "loi_signed")
    letter = signed(make_letter, world.company)
    with pytest.raises(UserError) as refused:
        services.delete_letter(letter)
    assert "Fundición Callao SAC" in refused.value.message
    db.session.rollback()
    assert count(Letter) == 1 and stage_of(engagement) == "loi_signed"


def test_letter_page_offers_to_move_back_and_delete(client, login, world, make_letter):
    engage(world.company, "assessed")
    letter = signed(make_letter, world.company)
    login(world.staff)
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert 'id="gate"' in page and 'name="move_back"' in page and 'name="note"' in page


def test_move_back_and_delete_in_the_same_form(client, login, world, make_letter):
    engagement = engage(world.company, "assessed")
    letter = signed(make_letter, world.company)
    login(world.staff)
    data = {"move_back": "1", "note": "La carta firmada era de otra empresa"}
    response = client.post(f"/letters/{letter.id}/delete", data=data)
    assert response.status_code == 302
    assert count(Letter) == 0 and stage_of(engagement) == "meeting_held"
    last = db.session.scalars(
        select(StageTransition)
        .where(StageTransition.engagement_id == engagement.id)
        .order_by(StageTransition.id.desc())
    ).first()
    assert (last.from_stage, last.to_stage, last.note) == (
        "assessed",
        "meeting_held",
        "La carta firmada era de otra empresa",
    )
    assert last.by_id == world.staff.id


def test_move_back_needs_a_note(client, login, world, make_letter):
    engagement = engage(world.company, "assessed")
    letter = signed(make_letter, world.company)
    login(world.staff)
    data = {"move_back": "1", "note": "  "}
    response = client.post(f"/letters/{letter.id}/delete", data=data, follow_redirects=True)
    assert "Moving back to an earlier stage needs a note" in response.get_data(as_text=True)
    assert count(Letter) == 1 and stage_of(engagement) == "assessed"


def test_refusal_is_in_spanish_by_default(client, login, make_user, make_org, make_letter):
    org = make_org("Textil Norte SAC")
    engage(org, "loi_signed")
    letter = signed(make_letter, org)
    login(make_user("staff"))
    page = client.post(f"/letters/{letter.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "Primero retroceda la participación" in page
    assert count(Letter) == 1

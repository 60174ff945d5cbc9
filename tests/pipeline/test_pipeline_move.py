"""Moving an engagement with the plain form: every rule refuses with a message and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm import clock
from crm.extensions import db
from crm.models import Letter, StageTransition
from tests.pipeline.conftest import count, last_transition, reload


def url(engagement) -> str:
    """Return the move page of an engagement."""
    return f"/pipeline/engagements/{engagement.id}/move"


def post(client, engagement, **data):
    """Submit the move form with the loaded version and today's date unless told otherwise."""
    form = {"version": str(engagement.version_id), "occurred_on": data.pop("day", None), **data}
    if form["occurred_on"] is None:
        form["occurred_on"] = clock.today().isoformat()
    return client.post(url(engagement), data={k: v for k, v in form.items() if v is not None})


def assert_unchanged(engagement, stage: str, transitions: int = 1, version: int = 1) -> None:
    """The engagement stayed where it was (same version) and no transition was written."""
    fresh = reload(engagement)
    assert fresh.stage == stage
    assert count(StageTransition, StageTransition.engagement_id == engagement.id) == transitions
    assert fresh.version_id == version


def test_move_page_shows_form_with_version_and_next_stage(client, staff, make_engagement):
    engagement = make_engagement(stage="contacted")
    page = client.get(url(engagement)).get_data(as_text=True)
    assert f'name="version" type="hidden" value="{engagement.version_id}"' in page
    assert '<option selected value="meeting_held">' in page
    assert "Current stage:" in page and "Contacted" in page


def test_forward_move_records_transition_and_stage(client, staff, make_engagement, today):
    engagement = make_engagement(stage="contacted")
    response = post(client, engagement, to_stage="meeting_held", note="Reunión con gerente")
    assert response.status_code == 302
    fresh = reload(engagement)
    assert fresh.stage == "meeting_held" and fresh.stage_since == today
    last = last_transition(fresh)
    assert (last.from_stage, last.to_stage, last.by_id, last.note) == (
        "contacted",
        "meeting_held",
        staff.id,
        "Reunión con gerente",
    )
    assert "moved to" in client.get(response.location).get_data(as_text=True)


def test_gate_without_letter_is_refused_and_nothing_changes(client, staff, make_engagement):
    engagement = make_engagement(stage="meeting_held")
    response = post(client, engagement, to_stage="loi_signed")
    assert response.status_code == 422
    assert "needs a signed letter of interest" in response.get_data(as_text=True)
    assert_unchanged(engagement, "meeting_held")
    assert count(Letter) == 0


def test_gate_satisfied_by_existing_signed_letter(client, staff, make_engagement, make_letter, make_org):
    org = make_org()
    make_letter(org)  # a letter for no programme in particular counts for every programme
    engagement = make_engagement(org, stage="meeting_held")
    assert post(client, engagement, to_stage="loi_signed").status_code == 302
    assert reload(engagement).stage == "loi_signed"


def test_requested_letter_does_not_open_the_gate(client, staff, make_engagement, make_letter, make_org):
    org = make_org()
    make_letter(org, status="requested", signed_on=None)
    engagement = make_engagement(org, stage="meeting_held")
    assert post(client, engagement, to_stage="loi_signed").status_code == 422
    assert_unchanged(engagement, "meeting_held")


def test_gate_satisfied_by_recording_the_letter_in_the_same_form(
    client, staff, make_engagement, make_org, make_contact, today
):
    org = make_org()
    signer = make_contact(org, "Gina", "Gerente")
    engagement = make_engagement(org, stage="meeting_held")
    page = client.get(url(engagement) + "?to_stage=loi_signed").get_data(as_text=True)
    assert "Record the signed letter of interest now" in page and "Gina Gerente" in page
    signed = today - timedelta(days=2)
    response = post(
        client,
        engagement,
        to_stage="loi_signed",
        record_letter="y",
        letter_signed_on=signed.isoformat(),
        signatory_id=str(signer.id),
    )
    assert response.status_code == 302
    letter = db.session.scalars(select(Letter)).one()
    assert (letter.kind, letter.status, letter.organisation_id) == ("interest", "signed", org.id)
    assert (letter.programme_id, letter.signed_on, letter.signatory_id) == (
        engagement.programme_id,
        signed,
        signer.id,
    )
    assert reload(engagement).stage == "loi_signed"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "Enter the date the letter of interest was signed."),
        ({"letter_signed_on": "2999-01-01"}, "The letter cannot be signed in the future."),
        ({"signatory_from_elsewhere": True}, "The signatory must be a contact of the company."),
    ],
)
def test_bad_letter_in_the_form_writes_neither_letter_nor_move(
    client, staff, make_engagement, make_org, make_contact, today, extra, message
):
    outsider = make_contact(make_org("Otra SAC"), "Otto", "Otro")
    engagement = make_engagement(stage="meeting_held")
    data = {"to_stage": "loi_signed", "record_letter": "y"}
    if extra.pop("signatory_from_elsewhere", False):
        data.update(letter_signed_on=today.isoformat(), signatory_id=str(outsider.id))
    data.update(extra)
    response = post(client, engagement, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert_unchanged(engagement, "meeting_held")
    assert count(Letter) == 0


def test_letter_recorded_but_move_refused_is_rolled_back(client, staff, make_engagement, today):
    engagement = make_engagement(stage="meeting_held")
    response = post(
        client,
        engagement,
        to_stage="loi_signed",
        record_letter="y",
        letter_signed_on=today.isoformat(),
        day="2999-12-31",
    )
    assert response.status_code in (400, 422)
    assert count(Letter) == 0
    assert_unchanged(engagement, "meeting_held")


def test_feasibility_stage_needs_the_delivery_date(client, staff, make_engagement, today):
    engagement = make_engagement(stage="technical_assistance")
    response = post(client, engagement, to_stage="feasibility_delivered")
    assert response.status_code == 422
    assert "Enter the date the feasibility study was delivered." in response.get_data(as_text=True)
    assert_unchanged(engagement, "technical_assistance")
    delivered = today - timedelta(days=1)
    response = post(
        client, engagement, to_stage="feasibility_delivered", feasibility_delivered_on=delivered.isoformat()
    )
    assert response.status_code == 302
    fresh = reload(engagement)
    assert (fresh.stage, fresh.feasibility_delivered_on) == ("feasibility_delivered", delivered)


def test_feasibility_delivery_in_the_future_is_refused(client, staff, make_engagement):
    engagement = make_engagement(stage="technical_assistance")
    response = post(
        client, engagement, to_stage="feasibility_delivered", feasibility_delivered_on="2999-01-01"
    )
    assert response.status_code == 422
    assert "The delivery date cannot be in the future." in response.get_data(as_text=True)
    assert_unchanged(engagement, "technical_assistance")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "No les interesa"}, "Choose the reason why the company leaves the pipeline."),
        ({"with_barrier": True}, "Write a note explaining the exit."),
        ({"with_barrier": True, "note": "   "}, "Write a note explaining the exit."),
    ],
)
def test_exit_needs_reason_and_note(client, staff, make_engagement, barrier, data, message):
    engagement = make_engagement(stage="meeting_held")
    if data.pop("with_barrier", False):
        data["barrier_id"] = str(barrier.id)
    response = post(client, engagement, to_stage="declined", **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert_unchanged(engagement, "meeting_held")


def test_exit_with_deactivated_reason_is_refused(client, staff, make_engagement, barrier):
    barrier.active = False
    db.session.commit()
    engagement = make_engagement(stage="meeting_held")
    response = post(client, engagement, to_stage="on_hold", barrier_id=str(barrier.id), note="Pausa")
    assert response.status_code == 422
    assert_unchanged(engagement, "meeting_held")


def test_exit_with_reason_and_note_is_recorded(client, staff, make_engagement, barrier):
    engagement = make_engagement(stage="meeting_held")
    response = post(client, engagement, to_stage="withdrawn", barrier_id=str(barrier.id), note="Se retiró")
    assert response.status_code == 302
    last = last_transition(reload(engagement))
    assert (last.to_stage, last.barrier_id, last.note) == ("withdrawn", barrier.id, "Se retiró")


def test_future_date_is_refused(client, staff, make_engagement, today):
    engagement = make_engagement(stage="contacted")
    response = post(client, engagement, to_stage="meeting_held", day=(today + timedelta(days=1)).isoformat())
    assert response.status_code == 422
    assert "cannot be dated in the future" in response.get_data(as_text=True)
    assert_unchanged(engagement, "contacted")


def test_date_before_the_current_stage_is_refused(client, staff, make_engagement, today):
    engagement = make_engagement(stage="contacted", since=today - timedelta(days=3))
    response = post(client, engagement, to_stage="meeting_held", day=(today - timedelta(days=4)).isoformat())
    assert response.status_code == 422
    assert "before the current stage began" in response.get_data(as_text=True)
    assert_unchanged(engagement, "contacted")


def test_garbage_date_and_stage_are_refused(client, staff, make_engagement):
    engagement = make_engagement(stage="contacted")
    assert post(client, engagement, to_stage="meeting_held", day="last week").status_code == 400
    response = post(client, engagement, to_stage="bogus")
    assert response.status_code == 422
    assert "Choose a valid stage." in response.get_data(as_text=True)
    assert post(client, engagement, to_stage="contacted").status_code == 422
    assert_unchanged(engagement, "contacted")


def test_backwards_needs_a_note_then_is_allowed(client, staff, make_engagement):
    engagement = make_engagement(stage="meeting_held")
    response = post(client, engagement, to_stage="contacted")
    assert response.status_code == 422
    assert "Moving back to an earlier stage needs a note." in response.get_data(as_text=True)
    assert_unchanged(engagement, "meeting_held")
    response = post(client, engagement, to_stage="contacted", note="La reunión se canceló")
    assert response.status_code == 302
    assert reload(engagement).stage == "contacted"


def test_back_dated_move_keeps_stage_equal_to_last_transition(
    client, staff, make_engagement, make_letter, today
):
    engagement = make_engagement(stage="contacted", since=today - timedelta(days=20))
    make_letter(engagement.organisation)  # "assessed" lies past the letter-of-interest gate
    last_week = today - timedelta(days=7)
    assert post(client, engagement, to_stage="meeting_held", day=last_week.isoformat()).status_code == 302
    engagement = reload(engagement)
    assert (engagement.stage, engagement.stage_since) == ("meeting_held", last_week)
    # Dating a later change before the one now current would reorder the timeline: refused.
    earlier = (today - timedelta(days=10)).isoformat()
    assert post(client, engagement, to_stage="assessed", day=earlier).status_code == 422
    # The same day as the current stage is fine: the timeline orders by date, then by entry.
    assert post(client, engagement, to_stage="assessed", day=last_week.isoformat()).status_code == 302
    fresh = reload(engagement)
    assert fresh.stage == last_transition(fresh).to_stage == "assessed"
    assert fresh.stage_since == last_week
    assert count(StageTransition, StageTransition.engagement_id == engagement.id) == 3


def test_viewer_and_liaison_cannot_move(client, en_user, login, make_engagement, liaison_world):
    engagement = make_engagement(liaison_world.member, stage="contacted")
    login(en_user("viewer"))
    assert client.get(url(engagement)).status_code == 404
    assert post(client, engagement, to_stage="meeting_held").status_code == 404
    assert reload(engagement).stage == "contacted"


def test_liaison_cannot_move_even_own_member(client, login, make_engagement, liaison_world):
    engagement = make_engagement(liaison_world.member, stage="contacted")
    login(liaison_world.liaison)
    assert post(client, engagement, to_stage="meeting_held").status_code == 404
    assert reload(engagement).stage == "contacted"


def test_unknown_engagement_is_404(client, staff):
    assert client.get("/pipeline/engagements/999999/move").status_code == 404
    assert client.get(f"/pipeline/engagements/{2**40}/move").status_code == 404


def test_skipping_past_the_letter_gate_is_refused(client, staff, make_engagement):
    engagement = make_engagement(stage="meeting_held")
    response = post(client, engagement, to_stage="assessed")
    assert response.status_code == 422
    assert "signed letter of interest" in response.get_data(as_text=True)
    assert_unchanged(engagement, "meeting_held")

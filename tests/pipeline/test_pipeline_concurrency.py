"""Two people move the same card at the same time: the first wins, the second gets a clear 409."""

from __future__ import annotations

import re

from sqlalchemy import select

from crm import clock
from crm.extensions import db
from crm.models import StageTransition
from tests.pipeline.conftest import count, last_transition, reload


def loaded_version(page: str) -> str:
    """Return the hidden version the move form carries."""
    match = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert match
    return match.group(1)


def test_second_mover_gets_conflict_and_nothing_changes(
    client, second_client, en_user, login, login_other, make_engagement
):
    first = login(en_user("staff", name="Primera"))
    login_other(en_user("staff", name="Segunda"))
    engagement = make_engagement(stage="contacted")
    url = f"/pipeline/engagements/{engagement.id}/move"
    version_a = loaded_version(client.get(url).get_data(as_text=True))
    version_b = loaded_version(second_client.get(url).get_data(as_text=True))
    assert version_a == version_b
    today = clock.today().isoformat()

    won = client.post(url, data={"version": version_a, "to_stage": "meeting_held", "occurred_on": today})
    assert won.status_code == 302
    lost = second_client.post(
        url, data={"version": version_b, "to_stage": "on_hold", "occurred_on": today, "note": "Pausa"}
    )
    assert lost.status_code == 409
    page = lost.get_data(as_text=True)
    assert "Someone else moved this company after you opened this page; nothing was saved." in page
    assert "It is now at “Meeting held”" in page
    # The second user's entries are kept and the form now carries the current version.
    assert "Pausa" in page and loaded_version(page) != version_b

    fresh = reload(engagement)
    assert fresh.stage == "meeting_held" == last_transition(fresh).to_stage
    assert count(StageTransition, StageTransition.engagement_id == engagement.id) == 2
    assert (
        db.session.scalars(
            select(StageTransition.by_id).where(StageTransition.to_stage == "meeting_held")
        ).one()
        == first.id
    )


def test_conflict_also_blocks_the_letter_of_interest(
    client, second_client, en_user, login, login_other, make_engagement, barrier
):
    login(en_user("staff"))
    login_other(en_user("staff"))
    engagement = make_engagement(stage="meeting_held")
    url = f"/pipeline/engagements/{engagement.id}/move"
    version = loaded_version(client.get(url).get_data(as_text=True))
    today = clock.today().isoformat()
    data = {"version": version, "occurred_on": today}
    assert (
        client.post(
            url, data={**data, "to_stage": "declined", "barrier_id": barrier.id, "note": "No"}
        ).status_code
        == 302
    )
    lost = second_client.post(
        url, data={**data, "to_stage": "loi_signed", "record_letter": "y", "letter_signed_on": today}
    )
    assert lost.status_code == 409
    from crm.models import Letter

    assert count(Letter) == 0
    assert reload(engagement).stage == "declined"


def test_tampered_version_is_a_conflict(client, staff, make_engagement):
    engagement = make_engagement(stage="contacted")
    url = f"/pipeline/engagements/{engagement.id}/move"
    today = clock.today().isoformat()
    for version in ("", "abc", "99999999999"):
        response = client.post(
            url, data={"version": version, "to_stage": "meeting_held", "occurred_on": today}
        )
        assert response.status_code == 409
    assert reload(engagement).stage == "contacted"


def test_simultaneous_write_detected_at_flush(staff, make_engagement):
    """Both users passed the version check; the database refuses the second UPDATE."""
    from sqlalchemy import update

    from crm.errors import StaleEditError
    from crm.models import Engagement
    from crm.pipeline import gates
    from crm.pipeline.services import Move

    engagement = make_engagement(stage="contacted")
    loaded = engagement.version_id
    with db.engine.begin() as other:  # the other user's move lands between our read and our write
        other.execute(
            update(Engagement)
            .where(Engagement.id == engagement.id)
            .values(stage="meeting_held", version_id=loaded + 1)
        )
    move = Move(to_stage="meeting_held", occurred_on=clock.today())
    try:
        gates.move_with_evidence(engagement, move, None, staff.id, clock.today(), loaded)
    except StaleEditError:
        db.session.rollback()
    else:
        raise AssertionError("the stale write was not detected")
    assert count(StageTransition, StageTransition.engagement_id == engagement.id) == 1

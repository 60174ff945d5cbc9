"""The board's drag-and-drop contract: JSON in, JSON out, same rules as the form."""

from __future__ import annotations

from pathlib import Path

from crm import clock
from crm.models import StageTransition
from tests.pipeline.conftest import count, reload

JSON = {"Accept": "application/json"}


def drop(client, engagement, to_stage: str, version: int | None = None, **extra):
    """POST what board.js sends when a card is dropped on a column."""
    data = {
        "version": str(engagement.version_id if version is None else version),
        "to_stage": to_stage,
        "occurred_on": clock.today().isoformat(),
        **extra,
    }
    return client.post(f"/pipeline/engagements/{engagement.id}/move", data=data, headers=JSON)


def test_drop_moves_and_answers_json(client, staff, make_engagement):
    engagement = make_engagement(stage="contacted")
    before = engagement.version_id
    response = drop(client, engagement, "meeting_held")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    fresh = reload(engagement)
    assert body == {
        "ok": True,
        "id": engagement.id,
        "stage": "meeting_held",
        "label": "Meeting held",
        "version": fresh.version_id,
        "since": clock.today().isoformat(),
    }
    assert fresh.stage == "meeting_held" and fresh.version_id == before + 1


def test_drop_needing_more_answers_422_with_the_form(client, staff, make_engagement):
    engagement = make_engagement(stage="meeting_held")
    response = drop(client, engagement, "loi_signed")
    assert response.status_code == 422
    body = response.get_json()
    assert body["ok"] is False and "letter of interest" in body["error"]
    assert body["form_url"] == f"/pipeline/engagements/{engagement.id}/move?to_stage=loi_signed"
    assert body["field"] == "record_letter"
    response = drop(client, engagement, "declined")
    assert response.status_code == 422 and response.get_json()["field"] == "barrier_id"
    assert reload(engagement).stage == "meeting_held"
    assert count(StageTransition, StageTransition.engagement_id == engagement.id) == 1


def test_stale_drop_answers_409(client, staff, make_engagement):
    engagement = make_engagement(stage="contacted")
    loaded = engagement.version_id
    assert drop(client, engagement, "meeting_held").status_code == 200
    response = drop(client, engagement, "identified", version=loaded, note="Volver")
    assert response.status_code == 409
    body = response.get_json()
    assert body["conflict"] is True and "Someone else moved this company" in body["error"]
    assert reload(engagement).stage == "meeting_held"


def test_bad_date_in_drop_answers_400(client, staff, make_engagement):
    engagement = make_engagement(stage="contacted")
    response = drop(client, engagement, "meeting_held", occurred_on="yesterday")
    assert response.status_code == 400
    assert response.get_json()["ok"] is False
    assert reload(engagement).stage == "contacted"


def test_viewer_drop_is_404(client, en_user, login, make_engagement):
    login(en_user("viewer"))
    engagement = make_engagement(stage="contacted")
    assert drop(client, engagement, "meeting_held").status_code == 404
    assert reload(engagement).stage == "contacted"


def test_csrf_is_required_for_drops(app, client, staff, make_engagement):
    engagement = make_engagement(stage="contacted")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = drop(client, engagement, "meeting_held")
        assert response.status_code == 400
        assert reload(engagement).stage == "contacted"
        page = client.get("/pipeline/").get_data(as_text=True)
        token = page.split('<meta name="csrf-token" content="', 1)[1].split('"', 1)[0]
        assert drop(client, engagement, "meeting_held", csrf_token=token).status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert reload(engagement).stage == "meeting_held"


def test_script_is_served_and_has_no_external_dependency(client, staff):
    response = client.get("/static/js/board.js")
    assert response.status_code == 200
    script = Path(__file__).parents[2].joinpath("crm/static/js/board.js").read_text()
    for needed in ("csrf-token", "data-version", "application/json", "to_stage"):
        assert needed in script
    assert "http://" not in script and "https://" not in script
    page = client.get("/pipeline/").get_data(as_text=True)
    assert "<script>" not in page and " style=" not in page

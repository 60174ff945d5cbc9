"""Resources through the token user's scope, the confidential profile, cursors, ETags and moves."""

from __future__ import annotations

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AccessLog, Engagement, Organisation
from crm.permissions import visible_contacts, visible_organisations


def test_a_liaison_token_sees_exactly_what_the_liaison_pages_see(client, api_world, bearer, api_ids):
    w = api_world
    headers = bearer(w.liaison)
    orgs = api_ids(client.get("/api/v1/organisations?limit=200", headers=headers))
    assert orgs == set(
        db.session.scalars(visible_organisations(w.liaison).with_only_columns(Organisation.id))
    )
    assert orgs == {w.assoc.id, w.member.id}
    contacts = api_ids(client.get("/api/v1/contacts?limit=200", headers=headers))
    assert contacts == {w.member_contact.id, w.assoc_contact.id}
    assert contacts == {c.id for c in db.session.scalars(visible_contacts(w.liaison))}
    assert client.get(f"/api/v1/organisations/{w.outsider.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/contacts/{w.outsider_contact.id}", headers=headers).status_code == 404
    for path in ("/api/v1/interactions", "/api/v1/letters", "/api/v1/engagements", "/api/v1/reports/funnel"):
        assert client.get(path, headers=headers).status_code == 404, path
    member = client.get(f"/api/v1/organisations/{w.member.id}", headers=headers).get_json()
    assert "emission_profile" not in member and "notes" not in member


def test_staff_see_everything_and_profile_reads_are_recorded(client, api_world, bearer, api_ids):
    w = api_world
    headers = bearer(w.staff)
    assert api_ids(client.get("/api/v1/organisations", headers=headers)) == {
        w.assoc.id,
        w.member.id,
        w.outsider.id,
    }
    assert api_ids(client.get("/api/v1/interactions", headers=headers)) == {
        w.interaction.id,
        w.outsider_interaction.id,
    }
    before = db.session.scalar(select(func.count()).select_from(AccessLog))
    member = client.get(f"/api/v1/organisations/{w.member.id}", headers=headers).get_json()
    assert member["emission_profile"]["electricity_mwh_year"] == "120.50"
    log = db.session.scalars(select(AccessLog).order_by(AccessLog.id.desc())).first()
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) == before + 1
    assert (log.user_id, log.organisation_id, log.what) == (w.staff.id, w.member.id, "emission_profile")
    viewer = client.get(f"/api/v1/organisations/{w.member.id}", headers=bearer(w.viewer)).get_json()
    assert "emission_profile" not in viewer
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) == before + 1


def test_cursor_walks_every_row_once_in_either_order(client, api_world, bearer, make_org):
    for n in range(7):
        make_org(f"Empresa {n:02d}")
    headers = bearer(api_world.staff)
    for sort in ("name", "-name", "updated_at", "-id"):
        seen, cursor = [], None
        while True:
            url = f"/api/v1/organisations?limit=3&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
            body = client.get(url, headers=headers).get_json()
            seen += [item["id"] for item in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 10, sort
    bad = client.get("/api/v1/organisations?cursor=nonsense", headers=headers)
    assert bad.status_code == 400 and bad.content_type == "application/problem+json"


def test_updated_since_returns_only_later_changes(client, api_world, bearer, api_ids):
    headers = bearer(api_world.staff)
    org = db.session.get(Organisation, api_world.outsider.id)
    stamp = org.updated_at.isoformat() + ("" if org.updated_at.tzinfo else "+00:00")
    later = api_ids(
        client.get(f"/api/v1/organisations?updated_since={stamp.replace('+', '%2B')}", headers=headers)
    )
    assert api_world.outsider.id in later and api_world.assoc.id not in later


def test_if_match_maps_to_the_optimistic_lock(client, api_world, bearer):
    headers = bearer(api_world.staff)
    url = f"/api/v1/organisations/{api_world.outsider.id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    assert client.patch(url, headers=headers, json={"trade_name": "Ajena"}).status_code == 428
    saved = client.patch(url, headers=headers | {"If-Match": etag}, json={"trade_name": "Ajena"})
    assert saved.status_code == 200 and saved.get_json()["trade_name"] == "Ajena"
    stale = client.patch(url, headers=headers | {"If-Match": etag}, json={"trade_name": "Otra"})
    assert stale.status_code == 412 and stale.content_type == "application/problem+json"
    assert db.session.get(Organisation, api_world.outsider.id).trade_name == "Ajena"


def test_problems_are_in_the_token_users_language(client, api_world, bearer, make_user):
    spanish = bearer(make_user("staff", locale="es"))
    english = bearer(api_world.staff)
    body = {"kind": "company", "legal_name": "Sin RUC válido", "ruc": "12345"}
    es = client.post("/api/v1/organisations", headers=spanish, json=body).get_json()
    en = client.post("/api/v1/organisations", headers=english, json=body).get_json()
    assert es["status"] == en["status"] == 422 and es["field"] == "ruc"
    assert es["detail"] != en["detail"] and "11" in en["detail"]


def test_moves_go_through_the_pipeline_gates(client, api_world, bearer):
    w = api_world
    headers = bearer(w.staff)
    url = f"/api/v1/engagements/{w.engagement.id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    gated = client.post(
        f"{url}/moves",
        headers=headers | {"If-Match": etag},
        json={"to_stage": "loi_signed", "occurred_on": "2026-01-20"},
    )
    assert gated.status_code == 422 and gated.get_json()["field"] == "record_letter"
    moved = client.post(
        f"{url}/moves",
        headers=headers | {"If-Match": etag},
        json={"to_stage": "meeting_held", "occurred_on": "2026-01-20"},
    )
    assert moved.status_code == 201, moved.data
    assert db.session.get(Engagement, w.engagement.id).stage == "meeting_held"
    detail = client.get(url, headers=headers).get_json()
    assert [t["to_stage"] for t in detail["transitions"]][-1] == "meeting_held"
    viewer = client.post(
        f"{url}/moves",
        headers=bearer(w.viewer) | {"If-Match": etag},
        json={"to_stage": "assessed", "occurred_on": "2026-01-21"},
    )
    assert viewer.status_code == 404


def test_letters_events_and_reports(client, api_world, bearer):
    headers = bearer(api_world.manager)
    letter = client.get(f"/api/v1/letters/{api_world.letter.id}", headers=headers).get_json()
    assert letter["materialisations"][0]["amount_usd"] == "250.00"
    event = client.get(f"/api/v1/events/{api_world.event.id}", headers=headers).get_json()
    assert event["attendee_contact_ids"] == [api_world.member_contact.id]
    for name in ("funnel", "conversion", "cofinance", "indicators"):
        report = client.get(f"/api/v1/reports/{name}?from=2026-01-01", headers=headers)
        assert report.status_code == 200 and report.get_json()["tables"], name


def test_unknown_api_paths_answer_problem_documents(client):
    answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404 and answer.content_type == "application/problem+json"

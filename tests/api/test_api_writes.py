"""Writes of contacts, memberships, letters and events: the pages' services, rules, history and scopes."""

from __future__ import annotations

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    Attendance,
    ChangeLog,
    Contact,
    Engagement,
    Letter,
    Membership,
    Registration,
    WebhookDelivery,
)
from crm.webhooks import services as webhooks

API = "/api/v1"


def history(entity_type: str, entity_id: int) -> list[str]:
    """Return the actions recorded for a record, oldest first."""
    query = select(ChangeLog.action).where(
        ChangeLog.entity_type == entity_type, ChangeLog.entity_id == entity_id
    )
    return list(db.session.scalars(query.order_by(ChangeLog.id)))


def test_contacts_are_created_and_changed_with_consent_history_and_if_match(client, api_world, bearer):
    w = api_world
    headers = bearer(w.staff)
    body = {
        "first_name": "Lucía",
        "last_name": "Quispe",
        "organisation_id": w.member.id,
        "email": "lucia@example.pe",
        "email_consent": True,
        "consent_source": "email",
    }
    created = client.post(f"{API}/contacts", headers=headers, json=body)
    assert created.status_code == 201, created.data
    data, etag = created.get_json(), created.headers["ETag"]
    assert data["consent_scope"] == "project" and data["consent_at"] and etag == f'"{data["version"]}"'
    assert history("contact", data["id"]) == ["create"]
    url = f"{API}/contacts/{data['id']}"
    assert client.patch(url, headers=headers, json={"position": "Gerente"}).status_code == 428
    saved = client.patch(url, headers=headers | {"If-Match": etag}, json={"email_consent": False})
    assert saved.status_code == 200, saved.data
    assert saved.get_json()["consent_source"] == "withdrawn" and saved.headers["ETag"] != etag
    assert saved.get_json()["email"] == "lucia@example.pe"  # what is not sent keeps its value
    stale = client.patch(url, headers=headers | {"If-Match": etag}, json={"position": "Otro"})
    assert stale.status_code == 412 and stale.content_type == "application/problem+json"
    row = db.session.get(Contact, data["id"])
    assert row.position is None and row.email_consent is False
    assert history("contact", data["id"]) == ["create", "update"]


def test_contact_writes_refuse_other_scopes_read_only_tokens_and_bad_input(
    client, api_world, bearer, make_user
):
    w = api_world
    body = {"first_name": "Ana", "last_name": "Ríos", "organisation_id": w.member.id}
    assert client.post(f"{API}/contacts", headers=bearer(w.liaison), json=body).status_code == 404
    url = f"{API}/contacts/{w.member_contact.id}"
    liaison = client.patch(url, headers=bearer(w.liaison) | {"If-Match": '"1"'}, json={"position": "X"})
    assert liaison.status_code == 404
    read_only = client.post(f"{API}/contacts", headers=bearer(w.staff, read_only=True), json=body)
    assert read_only.status_code == 403 and read_only.content_type == "application/problem+json"
    missing_org = body | {"organisation_id": 999999}
    assert client.post(f"{API}/contacts", headers=bearer(w.staff), json=missing_org).status_code == 404
    spanish = bearer(make_user("staff", locale="es"))
    bad = client.post(f"{API}/contacts", headers=spanish, json={"last_name": "", "email": "no"})
    problem = bad.get_json()
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"
    assert {"first_name", "last_name", "email"} <= set(problem["errors"]["json"])
    assert "solicitud" in problem["title"]
    assert problem["errors"]["json"]["first_name"] == ["Este campo es obligatorio."]
    blank = client.post(f"{API}/contacts", headers=spanish, json={"first_name": "Ana", "last_name": " "})
    assert blank.status_code == 422 and list(blank.get_json()["errors"]["json"]) == ["last_name"]
    surrogate = client.post(
        f"{API}/contacts",
        headers=spanish | {"Content-Type": "application/json"},
        data='{"first_name": "Ana", "last_name": "\\ud800"}',
    )
    assert surrogate.status_code == 422
    assert (
        db.session.scalar(select(func.count()).select_from(Contact).where(Contact.last_name == "Ríos")) == 0
    )


def test_memberships_are_added_and_their_status_changed_by_the_service(client, api_world, bearer, make_user):
    w = api_world
    headers = bearer(w.staff)
    body = {"company_id": w.outsider.id, "association_id": w.assoc.id, "status": "prospective"}
    added = client.post(f"{API}/memberships", headers=headers, json=body)
    assert added.status_code == 201, added.data
    ident = added.get_json()["id"]
    assert history("membership", ident) == ["create"]
    twice = client.post(f"{API}/memberships", headers=headers, json=body)
    assert twice.status_code == 422 and "Textil Ajena" in twice.get_json()["detail"]
    url, etag = f"{API}/memberships/{ident}", added.headers["ETag"]
    assert client.patch(url, headers=headers, json={"status": "active"}).status_code == 428
    changed = client.patch(url, headers=headers | {"If-Match": etag}, json={"status": "active"})
    assert changed.status_code == 200 and changed.get_json()["status"] == "active"
    assert history("membership", ident) == ["create", "update"]
    spanish = bearer(make_user("staff", locale="es")) | {"If-Match": changed.headers["ETag"]}
    future = client.patch(url, headers=spanish, json={"since": "2999-01-01"})
    assert future.status_code == 422 and "futura" in future.get_json()["detail"]
    assert db.session.get(Membership, ident).since is None
    assert client.post(f"{API}/memberships", headers=bearer(w.liaison), json=body).status_code == 404
    assert client.patch(f"{API}/memberships/{ident}", headers=bearer(w.viewer), json={}).status_code == 404
    assert client.patch(f"{API}/memberships/999999", headers=headers, json={}).status_code == 404


def test_letters_are_requested_and_signed_under_their_rules(client, api_world, bearer, make_user):
    w = api_world
    headers = bearer(w.staff)
    body = {"organisation_id": w.member.id, "kind": "interest", "requested_on": "2026-01-02"}
    created = client.post(f"{API}/letters", headers=headers, json=body)
    assert created.status_code == 201, created.data
    data, etag = created.get_json(), created.headers["ETag"]
    assert data["status"] == "requested" and history("letter", data["id"]) == ["create"]
    url = f"{API}/letters/{data['id']}"
    spanish = bearer(make_user("staff", locale="es"))
    refused = client.patch(url, headers=spanish | {"If-Match": etag}, json={"status": "signed"})
    assert refused.status_code == 422 and refused.get_json()["field"] == "signed_on"
    assert "firm" in refused.get_json()["detail"]
    body = {"status": "signed", "signed_on": "2026-01-12"}
    signed = client.patch(url, headers=headers | {"If-Match": etag}, json=body)
    assert signed.status_code == 200, signed.data
    assert signed.get_json()["signed_on"] == "2026-01-12" and signed.headers["ETag"] != etag
    stale = client.patch(url, headers=headers | {"If-Match": etag}, json={"status": "withdrawn"})
    assert stale.status_code == 412
    assert db.session.get(Letter, data["id"]).status == "signed"
    assert history("letter", data["id"]) == ["create", "update"]
    outsider = {"organisation_id": w.outsider.id, "kind": "interest", "requested_on": "2026-01-02"}
    assert client.post(f"{API}/letters", headers=bearer(w.liaison), json=outsider).status_code == 404
    read_only = bearer(w.staff, read_only=True) | {"If-Match": signed.headers["ETag"]}
    assert client.patch(url, headers=read_only, json={"notes": "x"}).status_code == 403


def test_signing_a_letter_emits_its_webhook_and_the_gate_keeps_it(
    client, app, api_world, bearer, en_user, monkeypatch
):
    w = api_world
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", ("127.0.0.1",))
    webhooks.create_subscription(en_user("admin"), "http://127.0.0.1:9/hook", ["letter.signed"])
    db.session.commit()
    headers = bearer(w.staff)
    body = {"organisation_id": w.member.id, "kind": "interest", "requested_on": "2026-01-02"}
    created = client.post(f"{API}/letters", headers=headers, json=body)
    url, etag = f"{API}/letters/{created.get_json()['id']}", created.headers["ETag"]
    body = {"status": "signed", "signed_on": "2026-01-12"}
    signed = client.patch(url, headers=headers | {"If-Match": etag}, json=body)
    assert signed.status_code == 200, signed.data
    sent = list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.event == "letter.signed")))
    assert [d.payload["data"]["letter"]["id"] for d in sent] == [created.get_json()["id"]]
    db.session.get(Engagement, w.engagement.id).stage = "loi_signed"  # past the gate on this letter alone
    db.session.commit()
    etag = signed.headers["ETag"]
    refused = client.patch(url, headers=headers | {"If-Match": etag}, json={"status": "withdrawn"})
    assert refused.status_code == 422 and refused.content_type == "application/problem+json"
    assert (
        refused.get_json()["field"] == "status" and "Move the engagement back" in refused.get_json()["detail"]
    )
    assert db.session.get(Letter, created.get_json()["id"]).status == "signed"


def test_events_are_created_and_changed_by_the_service(client, api_world, bearer, make_user):
    headers = bearer(api_world.staff)
    body = {"title": "Taller de calderas", "type": "workshop", "held_on": "2026-03-03", "place": "Lima"}
    created = client.post(f"{API}/events", headers=headers, json=body)
    assert created.status_code == 201, created.data
    ident, etag = created.get_json()["id"], created.headers["ETag"]
    url = f"{API}/events/{ident}"
    assert client.patch(url, headers=headers, json={"title": "Taller de hornos"}).status_code == 428
    changed = client.patch(url, headers=headers | {"If-Match": etag}, json={"title": "Taller de hornos"})
    assert changed.status_code == 200 and changed.get_json()["place"] == "Lima"
    assert history("event", ident) == ["create", "update"]
    spanish = bearer(make_user("staff", locale="es"))
    nowhere = client.post(f"{API}/events", headers=spanish, json=body | {"place": None})
    problem = nowhere.get_json()
    assert nowhere.status_code == 422 and set(problem["problems"]) == {"place"}
    assert "lugar" in problem["problems"]["place"]
    assert client.patch(f"{API}/events/999999", headers=headers, json={}).status_code == 404
    assert client.post(f"{API}/events", headers=bearer(api_world.viewer), json=body).status_code == 404


def test_attendance_is_idempotent_and_removable(client, api_world, bearer):
    w = api_world
    headers = bearer(w.staff)
    url = f"{API}/events/{w.event.id}/attendance"
    first = client.post(url, headers=headers, json={"contact_id": w.outsider_contact.id})
    assert first.status_code == 201, first.data
    again = client.post(url, headers=headers, json={"contact_id": w.outsider_contact.id})
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    count = select(func.count()).select_from(Attendance).where(Attendance.event_id == w.event.id)
    assert db.session.scalar(count) == 2
    assert client.post(url, headers=headers, json={"contact_id": 999999}).status_code == 404
    assert client.post(url, headers=headers, json={}).status_code == 422
    read_only = bearer(w.staff, read_only=True)
    assert client.delete(f"{url}/{w.outsider_contact.id}", headers=read_only).status_code == 403
    assert client.delete(f"{url}/{w.outsider_contact.id}", headers=headers).status_code == 204
    assert client.delete(f"{url}/{w.outsider_contact.id}", headers=headers).status_code == 404
    assert db.session.scalar(count) == 1
    assert (
        client.post(url, headers=bearer(w.liaison), json={"contact_id": w.member_contact.id}).status_code
        == 404
    )


def test_registrations_are_listed_for_readers(client, api_world, bearer, api_ids):
    w = api_world
    db.session.add(Registration(event_id=w.event.id, contact_id=w.member_contact.id, source="team"))
    db.session.commit()
    url = f"{API}/events/{w.event.id}/registrations"
    listed = client.get(url, headers=bearer(w.viewer))
    assert listed.status_code == 200 and len(api_ids(listed)) == 1
    assert listed.get_json()["items"][0]["contact_id"] == w.member_contact.id
    assert client.get(url, headers=bearer(w.liaison)).status_code == 404
    assert client.get(f"{API}/events/999999/registrations", headers=bearer(w.viewer)).status_code == 404


def test_the_document_lists_every_new_operation(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    wanted = {
        "/api/v1/contacts": {"get", "post"},
        "/api/v1/contacts/{contact_id}": {"get", "patch"},
        "/api/v1/memberships": {"get", "post"},
        "/api/v1/memberships/{membership_id}": {"patch"},
        "/api/v1/letters": {"get", "post"},
        "/api/v1/letters/{letter_id}": {"get", "patch"},
        "/api/v1/events": {"get", "post"},
        "/api/v1/events/{event_id}": {"get", "patch"},
        "/api/v1/events/{event_id}/attendance": {"post"},
        "/api/v1/events/{event_id}/attendance/{contact_id}": {"delete"},
        "/api/v1/events/{event_id}/registrations": {"get"},
    }
    for path, methods in wanted.items():
        assert methods <= set(paths[path]), path
    assert "ContactCreate" in str(paths["/api/v1/contacts"]["post"]["requestBody"])

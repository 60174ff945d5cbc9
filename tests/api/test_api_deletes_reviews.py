"""ETags on memberships, events and interactions; deletions as the pages allow them; a liaison's review."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    Attendance,
    ChangeLog,
    Contact,
    Event,
    Interaction,
    Membership,
    Organisation,
)

API = "/api/v1"


def changes(entity_type: str, entity_id: int) -> list[tuple[str, int | None, dict]]:
    """Return the recorded (action, user id, changes) of a record, oldest first."""
    query = select(ChangeLog).where(ChangeLog.entity_type == entity_type, ChangeLog.entity_id == entity_id)
    return [(r.action, r.user_id, r.changes) for r in db.session.scalars(query.order_by(ChangeLog.id))]


def exists(model, key: int) -> bool:
    """Return whether the row is still in the database (whatever the session remembers)."""
    return db.session.scalar(select(func.count()).select_from(model).where(model.id == key)) == 1


def fetched(client, url: str, headers: dict) -> str:
    """GET a record and return its ETag."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.data
    return response.headers["ETag"]


def other_association(make_org) -> Membership:
    """Return a confirmed membership of an association the liaison does not represent."""
    assoc = make_org("Gremio Ajeno", kind="association")
    company = make_org("Empresa Ajena SAC")
    row = Membership(company_id=company.id, association_id=assoc.id, status="active")
    db.session.add(row)
    db.session.commit()
    return row


def test_membership_and_event_writes_name_their_version(client, api_world, bearer):
    w = api_world
    headers = bearer(w.staff)
    ident = db.session.scalars(select(Membership.id).where(Membership.company_id == w.member.id)).one()
    url = f"{API}/memberships/{ident}"
    etag = fetched(client, url, headers)
    saved = client.patch(url, headers=headers | {"If-Match": etag}, json={"status": "lapsed"})
    assert saved.status_code == 200 and saved.headers["ETag"] != etag
    assert saved.get_json()["version"] == int(saved.headers["ETag"].strip('"'))
    stale = client.patch(url, headers=headers | {"If-Match": etag}, json={"status": "left"})
    assert stale.status_code == 412 and stale.content_type == "application/problem+json"
    assert db.session.get(Membership, ident).status == "lapsed"
    event_url = f"{API}/events/{w.event.id}"
    event_etag = fetched(client, event_url, headers)
    body = {"title": "Taller de calderas", "place": "Arequipa"}  # the event had no place yet
    assert client.patch(event_url, headers=headers | {"If-Match": event_etag}, json=body).status_code == 200
    late = client.patch(event_url, headers=headers | {"If-Match": event_etag}, json={"title": "Otro"})
    assert late.status_code == 412
    db.session.expire_all()
    assert db.session.get(Event, w.event.id).title == "Taller de calderas"
    assert [c[0] for c in changes("event", w.event.id)] == ["create", "update"]  # the stale one left none


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(tag=st.from_regex(r'\A(W/)?"?[ -~]{0,12}"?\Z'))
def test_any_if_match_but_the_current_version_changes_nothing(client, api_world, bearer, tag):
    headers = bearer(api_world.staff)
    current = db.session.get(Event, api_world.event.id).version_id
    if tag.removeprefix("W/").strip('"') == str(current):
        return
    response = client.patch(f"{API}/events/{api_world.event.id}", headers=headers | {"If-Match": tag},
                            json={"title": "Cambiado"})  # fmt: skip
    assert response.status_code == (428 if not tag else 412)
    db.session.expire_all()
    assert db.session.get(Event, api_world.event.id).title == "Taller de eficiencia"


def test_deletes_follow_the_pages_with_if_match_and_history(client, api_world, bearer):
    w = api_world
    headers = bearer(w.staff)
    ident = db.session.scalars(select(Membership.id).where(Membership.company_id == w.member.id)).one()
    event_id = w.event.id
    records = [
        (Contact, "contact", f"{API}/contacts/{w.outsider_contact.id}", w.outsider_contact.id),
        (Interaction, "interaction", f"{API}/interactions/{w.interaction.id}", w.interaction.id),
        (Membership, "membership", f"{API}/memberships/{ident}", ident),
        (Event, "event", f"{API}/events/{w.event.id}", w.event.id),
    ]
    for model, name, url, key in records:
        etag = fetched(client, url, headers)
        assert client.delete(url, headers=headers).status_code == 428, url
        assert client.delete(url, headers=headers | {"If-Match": '"999"'}).status_code == 412, url
        read_only = bearer(w.staff, read_only=True) | {"If-Match": etag}
        assert client.delete(url, headers=read_only).status_code == 403, url
        assert exists(model, key), url
        gone = client.delete(url, headers=headers | {"If-Match": etag})
        assert gone.status_code == 204 and gone.data == b"", url
        assert not exists(model, key), url
        assert changes(name, key)[-1][:2] == ("delete", w.staff.id), url
        assert client.delete(url, headers=headers | {"If-Match": etag}).status_code == 404, url
    assert db.session.scalars(select(Attendance.id).where(Attendance.event_id == event_id)).first() is None


def test_deletes_refuse_what_the_pages_refuse(client, api_world, bearer, en_user, make_org):
    w = api_world
    colleague = en_user("staff")
    theirs = Interaction(organisation_id=w.member.id, kind="visit", occurred_on=date(2026, 2, 2),
                         staff_id=colleague.id, summary="Visita")  # fmt: skip
    db.session.add(theirs)
    db.session.commit()
    url = f"{API}/interactions/{theirs.id}"
    etag = fetched(client, url, bearer(w.viewer))
    assert client.delete(url, headers=bearer(w.staff) | {"If-Match": etag}).status_code == 404
    assert client.delete(url, headers=bearer(w.viewer) | {"If-Match": etag}).status_code == 404
    assert exists(Interaction, theirs.id)
    assert client.delete(url, headers=bearer(w.manager) | {"If-Match": etag}).status_code == 204
    member = f"{API}/memberships/{other_association(make_org).id}"
    contact, event = f"{API}/contacts/{w.member_contact.id}", f"{API}/events/{w.event.id}"
    for url in (member, contact, event):
        assert client.delete(url, headers=bearer(w.liaison) | {"If-Match": '"1"'}).status_code == 404, url
    assert client.delete(event, headers=bearer(w.viewer) | {"If-Match": '"1"'}).status_code == 404
    missing = client.delete(f"{API}/contacts/999999", headers=bearer(w.staff) | {"If-Match": '"1"'})
    assert missing.status_code == 404
    assert exists(Contact, w.member_contact.id) and exists(Event, w.event.id)


def test_a_liaison_token_reviews_members_as_the_portal_does(client, api_world, bearer, make_org):
    w = api_world
    headers = bearer(w.liaison)
    outside = other_association(make_org)
    pending_company = make_org("Empresa Pendiente SAC")
    pending = Membership(company_id=pending_company.id, association_id=w.assoc.id, status="prospective",
                         confirmation="pending")  # fmt: skip
    db.session.add(pending)
    db.session.commit()
    listed = client.get(f"{API}/memberships", headers=headers).get_json()["items"]
    assert {m["association_id"] for m in listed} == {w.assoc.id} and len(listed) == 2
    ident = next(m["id"] for m in listed if m["company_id"] == w.member.id)
    url = f"{API}/memberships/{ident}"
    etag = fetched(client, url, headers)
    body = {"status": "lapsed", "note": "Dejó de pagar la cuota"}
    assert client.post(f"{url}/review", headers=headers, json=body).status_code == 428
    read_only = bearer(w.liaison, read_only=True) | {"If-Match": etag}
    assert client.post(f"{url}/review", headers=read_only, json=body).status_code == 403
    saved = client.post(f"{url}/review", headers=headers | {"If-Match": etag}, json=body)
    assert saved.status_code == 200, saved.data
    assert saved.get_json()["status"] == "lapsed" and saved.get_json()["last_reviewed_at"]
    row = db.session.get(Membership, ident)
    assert row.status == "lapsed" and row.last_reviewed_by_id == w.liaison.id
    action, user_id, recorded = changes("membership", ident)[-1]
    assert (action, user_id) == ("update", w.liaison.id)
    assert recorded["status"] == ["active", "lapsed"] and recorded["note"] == [None, "Dejó de pagar la cuota"]
    again = client.post(f"{url}/review", headers=headers | {"If-Match": etag}, json={"status": "left"})
    assert again.status_code == 412 and db.session.get(Membership, ident).status == "lapsed"
    fresh = saved.headers["ETag"]
    for refused in (outside.id, pending.id, 999999):
        answer = client.post(f"{API}/memberships/{refused}/review", headers=headers | {"If-Match": '"1"'},
                             json={"status": "left"})  # fmt: skip
        assert answer.status_code == 404, refused
    assert client.get(f"{API}/memberships/{outside.id}", headers=headers).status_code == 404
    patched = client.patch(url, headers=headers | {"If-Match": fresh}, json={"status": "left"})
    assert patched.status_code == 404
    assert client.delete(url, headers=headers | {"If-Match": fresh}).status_code == 404
    staff = bearer(w.staff) | {"If-Match": fresh}
    assert client.post(f"{url}/review", headers=staff, json={"status": "left"}).status_code == 404
    bad = client.post(f"{url}/review", headers=headers | {"If-Match": fresh}, json={"status": "gone"})
    assert bad.status_code == 422
    assert db.session.get(Membership, ident).status == "lapsed"
    assert db.session.get(Organisation, outside.company_id) is not None


def test_the_document_lists_the_new_operations(client):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    wanted = {
        "/api/v1/contacts/{contact_id}": {"get", "patch", "delete"},
        "/api/v1/interactions/{interaction_id}": {"get", "delete"},
        "/api/v1/memberships/{membership_id}": {"get", "patch", "delete"},
        "/api/v1/memberships/{membership_id}/review": {"post"},
        "/api/v1/events/{event_id}": {"get", "patch", "delete"},
    }
    for path, methods in wanted.items():
        assert methods <= set(paths[path]), path
        for method in methods - {"get"}:
            names = {p["name"] for p in paths[path][method].get("parameters", [])}
            assert "If-Match" in names, (path, method)

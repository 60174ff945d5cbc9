"""GET /api/v1/consultants: the registry read as on its page, role by role."""

from __future__ import annotations

import re
from datetime import date

from crm.extensions import db
from crm.models import Consultant, ConsultantAssignment
from tests.common_support import sign_in
from tests.conftest import PASSWORD

API = "/api/v1"
PUBLIC_KEYS = {"id", "first_name", "last_name", "specialisms", "region"}


def registry(w, published: bool = True) -> dict[str, Consultant]:
    """Register three people: published and qualified, qualified but hidden, a published candidate."""
    made = {
        "shown": Consultant(contact_id=w.member_contact.id, specialisms="recp chemicals", region="Callao"),
        "hidden": Consultant(contact_id=w.outsider_contact.id, specialisms="finance", region="Lima"),
        "candidate": Consultant(contact_id=w.assoc_contact.id, specialisms="recp", region="Callao"),
    }
    made["shown"].status, made["shown"].qualified_on = "qualified", date(2026, 3, 2)
    made["shown"].published = made["candidate"].published = published
    made["hidden"].status, made["candidate"].status = "qualified", "candidate"
    db.session.add_all(made.values())
    db.session.flush()
    assignment = ConsultantAssignment(
        consultant_id=made["shown"].id, engagement_id=w.engagement.id, role="Auditora"
    )
    assignment.started_on = date(2026, 3, 5)
    db.session.add(assignment)
    db.session.commit()
    return made


def test_the_technical_team_reads_every_entry_in_full(client, api_world, bearer):
    w, made = api_world, registry(api_world)
    for user in (w.staff, w.manager):
        response = client.get(f"{API}/consultants", headers=bearer(user))
        assert response.status_code == 200
        items = {item["id"]: item for item in response.get_json()["items"]}
        assert set(items) == {entry.id for entry in made.values()}
        shown = items[made["shown"].id]
        assert (shown["first_name"], shown["specialisms"], shown["status"]) == (
            "Marta",
            ["recp", "chemicals"],
            "qualified",
        )
        assert (shown["qualified_on"], shown["published"], shown["engagement_ids"]) == (
            "2026-03-02",
            True,
            [w.engagement.id],
        )
        assert shown["contact_id"] == w.member_contact.id and shown["organisation_id"] == w.member.id


def test_readers_see_only_the_published_public_part(client, api_world, bearer):
    w, made = api_world, registry(api_world)
    for user in (w.viewer, w.liaison):
        response = client.get(f"{API}/consultants", headers=bearer(user))
        assert response.status_code == 200
        [item] = response.get_json()["items"]  # neither the hidden entry nor the published candidate
        assert item == {"id": made["shown"].id, "first_name": "Marta", "last_name": "Miembro",
                        "specialisms": ["recp", "chemicals"], "region": "Callao"}  # fmt: skip
        assert set(item) == PUBLIC_KEYS
        # The status filter is the team's: a reader asking for candidates still sees the public part only.
        items = client.get(f"{API}/consultants?status=candidate", headers=bearer(user)).get_json()["items"]
        assert [i["id"] for i in items] == [made["shown"].id]


def test_readers_get_404_while_nothing_is_published(client, api_world, bearer):
    w = api_world
    registry(w, published=False)
    for user in (w.viewer, w.liaison):
        assert client.get(f"{API}/consultants", headers=bearer(user)).status_code == 404
        assert client.get("/consultants/").status_code in (
            302,
            404,
        )  # the page behaves alike (signed out here)
    assert client.get(f"{API}/consultants").status_code == 401


def test_every_role_reads_in_the_api_what_the_registry_page_lists(app, client, api_world, bearer, api_ids):
    w = api_world
    registry(w)
    for user in (w.staff, w.manager, w.viewer, w.liaison):
        api = api_ids(client.get(f"{API}/consultants", headers=bearer(user)))
        browser = app.test_client()
        assert sign_in(browser, user, PASSWORD).status_code == 302
        page = browser.get("/consultants/").get_data(as_text=True)
        assert api == {int(ident) for ident in re.findall(r'href="/consultants/(\d+)"', page)}, user.role


def test_filters_sort_and_pages(client, api_world, bearer, api_ids):
    w, made = api_world, registry(api_world)
    headers = bearer(w.staff)
    assert api_ids(client.get(f"{API}/consultants?specialism=finance", headers=headers)) == {
        made["hidden"].id
    }
    assert api_ids(client.get(f"{API}/consultants?region=Callao&status=candidate", headers=headers)) == {
        made["candidate"].id
    }
    first = client.get(f"{API}/consultants?limit=2&sort=-id", headers=headers).get_json()
    rest = client.get(f"{API}/consultants?limit=2&sort=-id&cursor={first['next_cursor']}", headers=headers)
    order = [i["id"] for i in first["items"]] + [i["id"] for i in rest.get_json()["items"]]
    assert order == sorted((entry.id for entry in made.values()), reverse=True)
    assert rest.get_json()["next_cursor"] is None
    refused = client.get(f"{API}/consultants?specialism=astrology&status=x", headers=headers)
    assert refused.status_code == 422 and {"specialism", "status"} <= set(
        refused.get_json()["errors"]["query"]
    )


def test_the_list_is_in_the_openapi_document_and_read_only(client, api_world, bearer):
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    assert set(paths[f"{API}/consultants"]) == {"get"}
    document = client.get(f"{API}/openapi.json").get_json()
    assert "ConsultantPage" in document["components"]["schemas"]
    contact = document["components"]["schemas"]["Contact"]["properties"]["qualified_consultant"]
    assert contact["readOnly"] is True
    headers = bearer(api_world.staff)
    assert client.post(f"{API}/consultants", json={}, headers=headers).status_code == 405

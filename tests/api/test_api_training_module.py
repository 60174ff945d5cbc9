"""An event's training module through the API: read in the token user's language, set and refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import ChangeLog, Event, TrainingModule

API = "/api/v1"


@pytest.fixture
def modules():
    """One active module and one no longer offered."""
    zis = TrainingModule(
        code="ZIS-01",
        name_es="Planificación de zonas industriales",
        name_en="Industrial zone planning",
        theme="zis_planning",
    )
    old = TrainingModule(
        code="CHEM-09",
        name_es="Químicos (antiguo)",
        name_en="Chemicals (old)",
        theme="chemicals",
        active=False,
    )
    db.session.add_all([zis, old])
    db.session.commit()
    return zis, old


def changes(event_id: int) -> int:
    """Count the event's recorded changes."""
    query = select(func.count(ChangeLog.id)).where(
        ChangeLog.entity_type == "event", ChangeLog.entity_id == event_id
    )
    return db.session.scalar(query)


def test_an_event_shows_its_module_in_the_readers_language(client, api_world, bearer, make_user, modules):
    zis, _old = modules
    url = f"{API}/events/{api_world.event.id}"
    before = client.get(url, headers=bearer(api_world.viewer)).get_json()
    assert before["training_module_id"] is None and before["module"] is None
    api_world.event.training_module_id = zis.id
    db.session.commit()
    english = client.get(url, headers=bearer(api_world.viewer)).get_json()
    assert english["training_module_id"] == zis.id
    assert english["module"] == {"id": zis.id, "code": "ZIS-01", "name": "Industrial zone planning"}
    spanish = client.get(url, headers=bearer(make_user("viewer", locale="es"))).get_json()
    assert spanish["module"]["name"] == "Planificación de zonas industriales"
    listed = client.get(f"{API}/events", headers=bearer(api_world.viewer)).get_json()["items"]
    assert [item["module"]["code"] for item in listed] == ["ZIS-01"]


def test_a_module_is_set_on_create_and_changed_or_cleared_on_update(client, api_world, bearer, modules):
    zis, _old = modules
    headers = bearer(api_world.staff)
    body = {"title": "Taller ZIS", "type": "training", "held_on": "2026-04-02", "online": True}
    created = client.post(f"{API}/events", headers=headers, json=body | {"training_module_id": zis.id})
    assert created.status_code == 201, created.data
    assert created.get_json()["module"]["code"] == "ZIS-01"
    ident = created.get_json()["id"]
    assert db.session.get(Event, ident).training_module_id == zis.id
    url, etag = f"{API}/events/{ident}", created.headers["ETag"]
    kept = client.patch(url, headers=headers | {"If-Match": etag}, json={"title": "Taller ZIS 2"})
    assert kept.status_code == 200 and kept.get_json()["module"]["id"] == zis.id
    cleared = client.patch(
        url, headers=headers | {"If-Match": kept.headers["ETag"]}, json={"training_module_id": None}
    )
    assert cleared.status_code == 200 and cleared.get_json()["module"] is None
    db.session.expire_all()
    assert db.session.get(Event, ident).training_module_id is None


def test_an_unknown_or_retired_module_is_refused_and_nothing_changes(
    client, api_world, bearer, make_user, modules
):
    zis, old = modules
    event = api_world.event
    event.training_module_id = zis.id
    db.session.commit()
    version, logged = event.version_id, changes(event.id)
    url = f"{API}/events/{event.id}"
    spanish = bearer(make_user("staff", locale="es")) | {"If-Match": f'"{version}"'}
    unknown = client.patch(url, headers=spanish, json={"title": "Otro", "training_module_id": 999999})
    problem = unknown.get_json()
    assert unknown.status_code == 422 and unknown.mimetype == "application/problem+json"
    assert problem["field"] == "training_module_id"
    assert "999999" in problem["detail"] and "módulo" in problem["detail"]
    english = bearer(api_world.staff) | {"If-Match": f'"{version}"'}
    retired = client.patch(url, headers=english, json={"training_module_id": old.id})
    assert (
        retired.status_code == 422
        and "No training module" in retired.get_json()["problems"]["training_module_id"]
    )
    body = {"title": "Nuevo", "type": "training", "held_on": "2026-05-05", "online": True}
    refused = client.post(f"{API}/events", headers=english, json=body | {"training_module_id": old.id})
    assert refused.status_code == 422
    wrong_type = client.patch(url, headers=english, json={"training_module_id": "ZIS-01"})
    assert wrong_type.status_code == 422 and "training_module_id" in wrong_type.get_json()["errors"]["json"]
    db.session.expire_all()
    same = db.session.get(Event, event.id)
    assert (same.title, same.training_module_id, same.version_id) == ("Taller de eficiencia", zis.id, version)
    assert changes(event.id) == logged
    assert db.session.scalar(select(func.count(Event.id))) == 1


def test_a_retired_module_the_event_already_has_may_stay(client, api_world, bearer, modules):
    _zis, old = modules
    event = api_world.event
    event.training_module_id = old.id
    db.session.commit()
    headers = bearer(api_world.staff) | {"If-Match": f'"{event.version_id}"'}
    sent = {"title": "Taller renombrado", "online": True, "training_module_id": old.id}
    changed = client.patch(f"{API}/events/{event.id}", headers=headers, json=sent)
    assert changed.status_code == 200, changed.data
    assert changed.get_json()["module"]["code"] == "CHEM-09"


def test_the_published_document_describes_the_module(client):
    schemas = client.get(f"{API}/openapi.json").get_json()["components"]["schemas"]
    event = schemas["Event"]["properties"]
    assert {"training_module_id", "module", "training_module"} <= set(event)
    assert event["module"].get("readOnly") is True
    assert set(schemas["TrainingModuleRef"]["properties"]) == {"id", "code", "name"}
    for written in ("EventIn", "EventCreate"):
        assert "training_module_id" in schemas[written]["properties"], written

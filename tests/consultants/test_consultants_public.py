"""Liaisons and viewers see the registry's public part (name, specialisms, region) once published."""

from __future__ import annotations

from datetime import date

import pytest

from crm.extensions import db
from crm.models import Consultant


@pytest.fixture
def entries(world):
    """Rosa qualified (with notes), Jorge a candidate; both published by the admin later."""
    rosa = Consultant(contact_id=world.rosa.id, specialisms="recp finance", region="Callao")
    rosa.status = "qualified"
    rosa.qualified_on, rosa.notes = date(2026, 2, 1), "Tarifa reservada"
    jorge = Consultant(contact_id=world.jorge.id, specialisms="chemicals", region="Lima", status="candidate")
    db.session.add_all([rosa, jorge])
    db.session.commit()
    return rosa, jorge


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_nothing_is_shown_until_published(client, login, world, entries, role):
    login(getattr(world, role))
    rosa, _jorge = entries
    assert client.get("/consultants/").status_code == 404
    assert client.get(f"/consultants/{rosa.id}").status_code == 404
    assert 'href="/consultants/"' not in client.get("/auth/preferences").get_data(as_text=True)


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_the_public_part_once_published(client, login, world, entries, role):
    rosa, jorge = entries
    login(world.admin)
    for entry in (rosa, jorge):
        assert client.post(f"/consultants/{entry.id}/publish", data={"published": "1"}).status_code == 302
    client.post("/auth/logout")
    login(getattr(world, role))
    assert 'href="/consultants/"' in client.get("/auth/preferences").get_data(as_text=True)  # in the menu now
    page = client.get("/consultants/").get_data(as_text=True)
    assert "Quispe, Rosa" in page and "RECP / eficiencia energética" in page and "Callao" in page
    assert "Huamán" not in page  # a candidate is not part of the registry's public part
    assert "Calificado" not in page and "Tarifa reservada" not in page
    detail = client.get(f"/consultants/{rosa.id}").get_data(as_text=True)
    assert "Rosa Quispe" in detail and "Tarifa reservada" not in detail and "rosa@consultora.pe" not in detail
    assert client.get(f"/consultants/{jorge.id}").status_code == 404
    assert client.get(f"/consultants/{rosa.id}/evidence").status_code == 404
    assert client.get(f"/consultants/{rosa.id}/edit").status_code == 404


def test_only_admins_publish(client, login, world, entries):
    rosa, _jorge = entries
    login(world.staff)
    assert client.post(f"/consultants/{rosa.id}/publish", data={"published": "1"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Consultant, rosa.id).published is False


def test_filters_and_sort_for_the_team(client, login, world, entries):
    login(world.staff)
    page = client.get("/consultants/?specialism=chemicals").get_data(as_text=True)
    assert "Huamán, Jorge" in page and "Quispe" not in page
    page = client.get("/consultants/?region=Callao&status=qualified").get_data(as_text=True)
    assert "Quispe, Rosa" in page and "Huamán" not in page
    page = client.get("/consultants/?sort=-name").get_data(as_text=True)
    assert page.index("Quispe, Rosa") < page.index("Huamán, Jorge")
    page = client.get("/consultants/?sort=name&specialism=nonsense&page=x").get_data(as_text=True)
    assert page.index("Huamán, Jorge") < page.index("Quispe, Rosa")

"""Administrators manage programmes and barriers; everyone else gets 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Barrier, Programme
from tests.pipeline.conftest import count

ADMIN_GETS = [
    "/pipeline/admin/programmes",
    "/pipeline/admin/programmes/new",
    "/pipeline/admin/barriers",
    "/pipeline/admin/barriers/new",
]


@pytest.fixture
def admin(en_user, login):
    """Sign in an administrator who reads English."""
    return login(en_user("admin"))


def test_programme_list_shows_counts(client, admin, zis, make_engagement):
    make_engagement(stage="contacted")
    page = client.get("/pipeline/admin/programmes").get_data(as_text=True)
    assert "ZIS-CALLAO" in page and "PEI" in page and "Sustainable industrial zone of Callao" in page
    assert f'href="/pipeline/admin/programmes/{zis.id}/edit"' in page
    assert '<td class="num">1</td>' in page


def test_create_and_edit_programme(client, admin):
    data = {"code": "LURIN", "name_es": "Lurín sostenible", "name_en": "Sustainable Lurín", "active": "y"}
    response = client.post("/pipeline/admin/programmes/new", data=data)
    assert response.status_code == 302
    programme = db.session.scalars(select(Programme).filter_by(code="LURIN")).one()
    assert (programme.name_es, programme.name_en, programme.active) == (
        "Lurín sostenible",
        "Sustainable Lurín",
        True,
    )
    edit = {**data, "description": "Sur de Lima"}
    del edit["active"]  # unchecked: deactivated
    assert client.post(f"/pipeline/admin/programmes/{programme.id}/edit", data=edit).status_code == 302
    db.session.expire_all()
    assert (programme.description, programme.active) == ("Sur de Lima", False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "zis-callao"}, "This code is already in use."),
        ({"code": "con espacio"}, "Use letters, digits"),
        ({"code": ""}, "Enter a code."),
        ({"name_es": ""}, "This field is required."),
        ({"code": "X" * 31}, "Field cannot be longer than 30 characters."),
    ],
)
def test_bad_programme_is_refused(client, admin, data, message):
    before = count(Programme)
    form = {"code": "NUEVO", "name_es": "Nuevo", "name_en": "New", "active": "y", **data}
    response = client.post("/pipeline/admin/programmes/new", data=form)
    assert response.status_code in (400, 422)
    assert message in response.get_data(as_text=True)
    assert count(Programme) == before


def test_programme_code_can_be_kept_on_edit(client, admin, zis):
    data = {"code": "ZIS-CALLAO", "name_es": "ZIS", "name_en": "ZIS en", "active": "y"}
    assert client.post(f"/pipeline/admin/programmes/{zis.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert zis.name_es == "ZIS"


def test_barriers_create_edit_deactivate_activate(client, admin, barrier):
    data = {
        "code": "no_space",
        "reason_es": "Sin espacio en planta",
        "reason_en": "No room in the plant",
        "active": "y",
    }
    assert client.post("/pipeline/admin/barriers/new", data=data).status_code == 302
    created = db.session.scalars(select(Barrier).filter_by(code="no_space")).one()
    assert created.active and created.reason_en == "No room in the plant"
    data["reason_en"] = "No physical room in the plant"
    assert client.post(f"/pipeline/admin/barriers/{created.id}/edit", data=data).status_code == 302
    assert client.post(f"/pipeline/admin/barriers/{barrier.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert created.reason_en == "No physical room in the plant" and barrier.active is False
    page = client.get("/pipeline/admin/barriers").get_data(as_text=True)
    assert f'action="/pipeline/admin/barriers/{barrier.id}/activate"' in page
    assert client.post(f"/pipeline/admin/barriers/{barrier.id}/activate").status_code == 302
    db.session.expire_all()
    assert barrier.active is True


def test_deactivated_barrier_is_not_offered_when_moving(client, admin, barrier, make_engagement):
    engagement = make_engagement(stage="contacted")
    client.post(f"/pipeline/admin/barriers/{barrier.id}/deactivate")
    page = client.get(f"/pipeline/engagements/{engagement.id}/move").get_data(as_text=True)
    assert barrier.reason_en not in page
    assert "Project delays made the company lose interest" in page


def test_duplicate_barrier_code_is_refused(client, admin, barrier):
    before = count(Barrier)
    data = {"code": barrier.code.upper(), "reason_es": "x", "reason_en": "y", "active": "y"}
    response = client.post("/pipeline/admin/barriers/new", data=data)
    assert response.status_code == 422 and "This code is already in use." in response.get_data(as_text=True)
    assert count(Barrier) == before


@pytest.mark.parametrize("role", ["manager", "staff", "viewer", "liaison"])
def test_non_admins_get_404(client, en_user, login, role, zis, barrier):
    login(en_user(role))
    for url in [
        *ADMIN_GETS,
        f"/pipeline/admin/programmes/{zis.id}/edit",
        f"/pipeline/admin/barriers/{barrier.id}/edit",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/pipeline/admin/barriers/{barrier.id}/deactivate").status_code == 404
    data = {"code": "HACK", "name_es": "x", "name_en": "y"}
    assert client.post("/pipeline/admin/programmes/new", data=data).status_code == 404
    db.session.expire_all()
    assert barrier.active and count(Programme, Programme.code == "HACK") == 0


def test_unknown_ids_are_404(client, admin):
    for url in ("/pipeline/admin/programmes/999999/edit", f"/pipeline/admin/barriers/{2**40}/edit"):
        assert client.get(url).status_code == 404

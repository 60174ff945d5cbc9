"""Who advised whom: assignments to companies' engagements, on the consultant's and the company's page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Consultant, ConsultantAssignment


@pytest.fixture
def rosa(world) -> Consultant:
    """Rosa, a qualified consultant."""
    consultant = Consultant(contact_id=world.rosa.id, specialisms="recp", status="qualified")
    db.session.add(consultant)
    db.session.commit()
    return consultant


def assignments() -> int:
    """Count the assignments."""
    return db.session.scalar(select(func.count()).select_from(ConsultantAssignment))


def test_assigned_from_the_consultant_page_and_shown_on_the_company(client, login, world, rosa):
    login(world.staff)
    data = {"engagement_id": world.engagement.id, "role": "Auditoría energética", "started_on": "2026-02-01"}
    assert client.post(f"/consultants/{rosa.id}/assign", data=data).status_code == 302
    assignment = db.session.scalars(select(ConsultantAssignment)).one()
    assert (assignment.role, assignment.started_on) == ("Auditoría energética", date(2026, 2, 1))
    assert assignment.ended_on is None
    org_page = client.get(f"/organisations/{world.company.id}").get_data(as_text=True)
    assert 'id="consultants"' in org_page and "Rosa Quispe" in org_page and "Auditoría energética" in org_page
    page = client.get(f"/consultants/{rosa.id}").get_data(as_text=True)
    assert "Fundición Chutana SAC" in page and "Auditoría energética" in page
    other = client.get(f"/organisations/{world.other.id}").get_data(as_text=True)
    assert "Auditoría energética" not in other


def test_assigned_from_the_organisation_page(client, login, world, rosa):
    login(world.staff)
    data = {"consultant_id": rosa.id, "engagement_id": world.engagement.id, "role": "Estudio de factibilidad",
            "started_on": "2026-03-01", "ended_on": "2026-06-30"}  # fmt: skip
    response = client.post(f"/consultants/organisations/{world.company.id}/assign", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("#consultants")
    assert db.session.scalars(select(ConsultantAssignment)).one().ended_on == date(2026, 6, 30)


def test_bad_assignments_are_refused_in_spanish(client, login, world, rosa):
    login(world.staff)
    url = f"/consultants/organisations/{world.company.id}/assign"
    base = {"consultant_id": rosa.id, "engagement_id": world.engagement.id, "role": "Asesora",
            "started_on": "2026-03-01"}  # fmt: skip
    # another company's engagement, through this company's page
    page = client.post(url, data=base | {"engagement_id": world.other_engagement.id}, follow_redirects=True)
    assert "Elija el programa de la empresa" in page.get_data(as_text=True)
    page = client.post(url, data=base | {"ended_on": "2026-01-01"}, follow_redirects=True)
    assert "no puede ser anterior a la fecha de inicio" in page.get_data(as_text=True)
    page = client.post(url, data=base | {"consultant_id": 999999}, follow_redirects=True)
    assert "Elija un consultor" in page.get_data(as_text=True)
    page = client.post(url, data=base | {"started_on": "mañana"}, follow_redirects=True)
    assert "No es una fecha válida" in page.get_data(as_text=True)
    assert assignments() == 0
    client.post(url, data=base)
    page = client.post(url, data=base, follow_redirects=True)
    assert "ya está asignado" in page.get_data(as_text=True) and assignments() == 1


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_readers_neither_see_nor_make_assignments(client, login, world, rosa, role):
    db.session.add(ConsultantAssignment(consultant_id=rosa.id, engagement_id=world.engagement.id,
                                        role="Asesora reservada", started_on=date(2026, 2, 1)))  # fmt: skip
    db.session.commit()
    login(getattr(world, role))
    assert "Asesora reservada" not in client.get(f"/organisations/{world.company.id}").get_data(as_text=True)
    data = {
        "consultant_id": rosa.id,
        "engagement_id": world.engagement.id,
        "role": "X",
        "started_on": "2026-03-01",
    }
    assert client.post(f"/consultants/organisations/{world.company.id}/assign", data=data).status_code == 404
    assert assignments() == 1

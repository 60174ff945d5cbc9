"""The registry pages: registering, editing and moving a consultant through its statuses, audited."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import func, select

from crm import clock
from crm.extensions import db
from crm.models import ChangeLog, Consultant, Contact

PDF = b"%PDF-1.4\n% constancia\n"


def entry(contact: Contact) -> Consultant | None:
    """Return a contact's registry entry, fresh from the database."""
    db.session.expire_all()
    return db.session.scalars(select(Consultant).where(Consultant.contact_id == contact.id)).first()


def count() -> int:
    """Count the registry's entries."""
    return db.session.scalar(select(func.count()).select_from(Consultant))


def register(client, world, **extra):
    """Post the new consultant form for Rosa (independent)."""
    data = {"contact_id": world.rosa.id, "specialisms": ["recp", "chemicals"], "region": "Callao"}
    return client.post("/consultants/new", data=data | extra)


def test_staff_registers_a_qualified_consultant_with_evidence(client, login, world):
    login(world.staff)
    assert client.get("/consultants/new").status_code == 200
    response = register(
        client, world, qualified_on="2026-03-02", evidence=(io.BytesIO(PDF), "constancia.pdf")
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    consultant = entry(world.rosa)
    assert (consultant.status, consultant.qualified_on, consultant.region) == (
        "qualified",
        date(2026, 3, 2),
        "Callao",
    )
    assert consultant.specialism_list == ["recp", "chemicals"] and consultant.candidate_on == clock.today()
    assert db.session.get(Contact, world.rosa.id).qualified_consultant is True  # the mirror follows
    assert client.get(f"/consultants/{consultant.id}/evidence").data == PDF
    page = client.get(f"/consultants/{consultant.id}").get_data(as_text=True)
    assert "Rosa Quispe" in page and "constancia.pdf" in page and "Independiente" in page
    assert 'id="history"' in page and "Especialidades" in page.split('id="history"')[1]
    audited = db.session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "consultant")).all()
    assert {e.entity_id for e in audited} == {consultant.id}


def test_edit_and_status_changes_keep_each_date(client, login, world):
    login(world.staff)
    register(client, world)
    consultant = entry(world.rosa)
    assert consultant.status == "candidate" and consultant.qualified_on is None
    response = client.post(
        f"/consultants/{consultant.id}/edit", data={"specialisms": ["finance"], "region": "Lima"}
    )
    assert response.status_code == 302
    assert (entry(world.rosa).specialisms, entry(world.rosa).region) == ("finance", "Lima")
    day = clock.today() - timedelta(days=10)
    client.post(f"/consultants/{consultant.id}/status", data={"status": "qualified", "on": day.isoformat()})
    assert (entry(world.rosa).status, entry(world.rosa).qualified_on) == ("qualified", day)
    assert db.session.get(Contact, world.rosa.id).qualified_consultant is True
    client.post(f"/consultants/{consultant.id}/status", data={"status": "suspended"})
    suspended = entry(world.rosa)
    assert (suspended.status, suspended.suspended_on, suspended.qualified_on) == (
        "suspended",
        clock.today(),
        day,
    )
    assert db.session.get(Contact, world.rosa.id).qualified_consultant is False
    changes = db.session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "consultant")).all()
    assert any(c.changes.get("status") == ["qualified", "suspended"] for c in changes)


def test_bad_input_gets_a_spanish_message_and_changes_nothing(client, login, world):
    login(world.staff)
    response = register(client, world, specialisms=[])
    assert response.status_code == 400
    assert "Elija al menos una especialidad" in response.get_data(as_text=True)
    response = register(client, world, region="Atlántida")
    assert response.status_code == 400 and "Elija una región de la lista" in response.get_data(as_text=True)
    future = (clock.today() + timedelta(days=3)).isoformat()
    response = register(client, world, qualified_on=future)
    assert response.status_code == 400 and "no puede estar en el futuro" in response.get_data(as_text=True)
    assert count() == 0
    register(client, world)
    again = register(client, world)
    assert again.status_code == 400 and "ya está en el registro" in again.get_data(as_text=True)
    consultant = entry(world.rosa)
    response = client.post(f"/consultants/{consultant.id}/status", data={"status": "qualified", "on": future},
                           follow_redirects=True)  # fmt: skip
    assert "La fecha no puede ser futura" in response.get_data(as_text=True)
    response = client.post(f"/consultants/{consultant.id}/status", data={"status": "suspended"},
                           follow_redirects=True)  # fmt: skip
    assert "no puede seguir al actual" in response.get_data(as_text=True)
    assert (entry(world.rosa).status, entry(world.rosa).version_id) == ("candidate", 1)


def test_unknown_ids_answer_404(client, login, world):
    login(world.staff)
    for url in ("/consultants/999999", "/consultants/999999/edit", "/consultants/99999999999"):
        assert client.get(url).status_code == 404
    assert client.post("/consultants/999999/status", data={"status": "qualified"}).status_code == 404
    assert client.post("/consultants/assignments/999999/delete").status_code == 404
    response = client.post("/consultants/new", data={"contact_id": 999999, "specialisms": ["recp"]})
    assert response.status_code == 400 and count() == 0

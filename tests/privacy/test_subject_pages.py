"""Ley 29733 pages: an administrator reads a contact's data (page and JSON) and erases them with a reason."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AccessLog, Attendance, Contact, Erasure, Event, Invitation, Registration


def test_admin_reads_exports_and_erases_a_contact(client, login, make_user, make_org, make_contact):
    admin = login(make_user("admin"))
    org = make_org("Curtiembre Lima SAC")
    person = make_contact(org, "Eulalia", "Huamaní", email="eulalia@curtiembre.pe", phone="+51 911 222 333")
    page = client.get(f"/privacy/contact/{person.id}/data")
    assert page.status_code == 200
    assert "Datos que se conservan de Eulalia Huamaní" in page.get_data(as_text=True)
    download = client.get(f"/privacy/contact/{person.id}/data.json")
    assert download.json["contact"]["email"] == "eulalia@curtiembre.pe"
    assert "attachment" in download.headers["Content-Disposition"]
    reads = select(func.count(AccessLog.id)).where(AccessLog.organisation_id == org.id)
    assert db.session.scalar(reads) >= 1
    refused = client.post(f"/privacy/contact/{person.id}/erase", data={"reason": " "})
    assert refused.status_code == 422 and db.session.get(Contact, person.id).erased_at is None
    form = client.get(f"/privacy/contact/{person.id}/erase").get_data(as_text=True)
    assert "data-confirm=" in form and "<script>" not in form
    done = client.post(f"/privacy/contact/{person.id}/erase", data={"reason": "Carta del 2 de diciembre"})
    assert done.status_code == 302
    db.session.expire_all()
    erased = db.session.get(Contact, person.id)
    assert erased.email is None and erased.phone is None and erased.full_name != "Eulalia Huamaní"
    record = db.session.scalars(select(Erasure)).one()
    assert (record.by_id, record.reason) == (admin.id, "Carta del 2 de diciembre")


def test_the_export_lists_invitations_registrations_and_attendance(client, login, make_user, make_contact):
    login(make_user("admin"))
    person = make_contact(None, "Carmen", "Vargas", email="carmen@ladrillera.pe")
    event = Event(title="Charla de hornos", type="awareness", held_on=date(2026, 3, 2), place="Trujillo")
    db.session.add(event)
    db.session.flush()
    db.session.add_all(
        [
            Invitation(event_id=event.id, contact_id=person.id),
            Registration(
                event_id=event.id,
                contact_id=person.id,
                source="public",
                organisation_name="Ladrillera Sur",
                position="Jefa de producción",
            ),
            Attendance(event_id=event.id, contact_id=person.id),
        ]
    )
    db.session.commit()
    data = client.get(f"/privacy/contact/{person.id}/data.json").json
    assert [row["title"] for row in data["invitations"] + data["attendance"]] == ["Charla de hornos"] * 2
    assert data["registrations"][0]["organisation_name"] == "Ladrillera Sur"
    page = client.get(f"/privacy/contact/{person.id}/data").get_data(as_text=True)
    assert "Inscripciones a eventos" in page and "Jefa de producción" in page and "Página pública" in page


def test_every_table_that_points_at_a_contact_has_its_section_in_the_export(make_contact):
    from crm.privacy.export import SECTION_OF_TABLE, subject_data

    tables = db.metadata.sorted_tables
    pointing = {t.name for t in tables for fk in t.foreign_keys if fk.column.table.name == "contacts"}
    assert pointing == set(SECTION_OF_TABLE), "add the new table's rows to the export (crm/privacy/export.py)"
    sections = subject_data(make_contact(None, "Rosa", "Quispe"))
    assert set(SECTION_OF_TABLE.values()) <= set(sections)


def test_the_export_shows_the_registry_entry(client, login, make_user, make_contact):
    from crm.consultants import services

    admin = login(make_user("admin"))
    person = make_contact(None, "Julio", "Ccori", email="julio@consultor.pe")
    values = services.ConsultantValues(specialisms=["recp"], qualified_on=date(2026, 3, 2), notes="Auditor")
    services.create(admin, person.id, values)
    db.session.commit()
    data = client.get(f"/privacy/contact/{person.id}/data.json").json
    assert data["consultant"][0]["status"] == "qualified" and data["consultant"][0]["notes"] == "Auditor"
    page = client.get(f"/privacy/contact/{person.id}/data").get_data(as_text=True)
    assert "Registro de consultores" in page and "Calificado" in page
    assert "Creación" in page and "Consultor calificado" in page  # the history in words, not column names
    assert "first_name" not in page and "version_id" not in page

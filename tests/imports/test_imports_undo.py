"""An administrator undoes a batch from its change history, unless later edits conflict."""

from __future__ import annotations

from imports_support import counts, ruc, text
from sqlalchemy import select

from crm.extensions import db
from crm.models import ChangeLog, Contact, Event, ImportBatch, Interaction, Membership, Organisation

FILE = (
    "Razón social;RUC;Sitio web;Notas;Contacto;Correo;Gremio\n"
    f"Existente SAC;{ruc(1)};https://nuevo.pe;nota nueva;;;\n"
    f"Nueva SAC;{ruc(2)};;;Luz Díaz;luz@nueva.pe;SNI\n"
)


def setup_world(make_org):
    """A stored company the file updates, and the association the new company joins."""
    make_org("Sociedad Nacional de Industrias", kind="association", trade_name="SNI")
    return make_org("Existente SAC", ruc=ruc(1), website="https://viejo.pe")


def new_org() -> Organisation | None:
    """Return the company the file creates, if it exists."""
    return db.session.scalars(select(Organisation).where(Organisation.legal_name == "Nueva SAC")).first()


def test_undo_removes_created_records_and_restores_updated_fields(client, admin, make_org, imported, work):
    existing = setup_world(make_org)
    before = counts()
    batch = imported(FILE)
    assert batch.status == "done", batch.error
    assert counts().orgs == before.orgs + 1 and counts().contacts == 1
    response = client.post(f"/imports/{batch.id}/undo")
    assert response.status_code == 302
    waiting = text(client.get(f"/imports/{batch.id}"))
    assert "Waiting to be undone" in waiting and "Undo this import" not in waiting  # the job undoes it
    assert new_org() is not None
    work()
    assert new_org() is None and counts().contacts == 0 and db.session.scalar(select(Membership.id)) is None
    stored = db.session.get(Organisation, existing.id)
    assert (stored.website, stored.notes) == ("https://viejo.pe", None)
    batch = db.session.get(ImportBatch, batch.id)
    assert (batch.status, batch.undone_by_id) == ("undone", admin.id) and batch.undone_at is not None
    page = text(client.get(f"/imports/{batch.id}"))
    assert "Import undone: 3 records removed, 1 records restored." in page
    deletions = db.session.scalars(select(ChangeLog.entity_type).where(ChangeLog.action == "delete")).all()
    assert sorted(deletions) == ["contact", "membership", "organisation"]


def test_a_field_changed_again_after_the_import_blocks_the_undo(client, admin, make_org, imported, undone):
    existing = setup_world(make_org)
    batch = imported(FILE)
    org = db.session.get(Organisation, existing.id)
    org.website = "https://editado.pe"
    db.session.commit()
    before = counts()
    body = text(undone(batch.id))
    assert "Nothing was undone" in body and "Undo this import" in body
    assert "a field the import changed was changed again later" in body
    assert counts() == before and new_org() is not None
    assert db.session.get(ImportBatch, batch.id).status == "done"


def test_a_created_record_edited_later_blocks_the_undo(client, admin, make_org, imported, undone):
    setup_world(make_org)
    batch = imported(FILE)
    contact = db.session.scalars(select(Contact)).one()
    contact.position = "Gerente"
    db.session.commit()
    page = text(undone(batch.id))
    assert "Luz Díaz" in page and "created by the import and changed later" in page
    assert db.session.get(ImportBatch, batch.id).status == "done" and new_org() is not None


def test_records_added_later_to_a_created_organisation_block_the_undo(
    client, admin, make_org, imported, undone
):
    setup_world(make_org)
    batch = imported(FILE)
    org = new_org()
    db.session.add(Interaction(organisation_id=org.id, kind="call", occurred_on=org.created_at.date(),
                               staff_id=admin.id, summary="Llamada"))  # fmt: skip
    db.session.commit()
    assert "something was added later to an organisation the import created" in text(undone(batch.id))


def test_an_attendance_of_a_created_contact_blocks_the_undo(client, admin, make_org, imported, undone):
    from datetime import date

    from crm.models import Attendance

    setup_world(make_org)
    batch = imported(FILE)
    event = Event(title="Taller", type="training", held_on=date(2024, 5, 3))
    db.session.add(event)
    db.session.flush()
    db.session.add(Attendance(event_id=event.id, contact_id=db.session.scalars(select(Contact.id)).one()))
    db.session.commit()
    assert "attended an event after the import" in text(undone(batch.id))


def test_only_administrators_undo_and_only_finished_imports(client, en_user, login, make_org, imported):
    setup_world(make_org)
    login(en_user("manager"))
    batch = imported(FILE)
    assert client.post(f"/imports/{batch.id}/undo").status_code == 404
    assert "Undo this import" not in text(client.get(f"/imports/{batch.id}"))
    client.post("/auth/logout")
    login(en_user("admin"))
    assert client.post(f"/imports/{batch.id}/undo").status_code == 302
    again = client.post(f"/imports/{batch.id}/undo", follow_redirects=True)
    assert "Only a finished import can be undone." in text(again)


def test_undo_restores_numbers_dates_and_statuses_to_their_stored_types(
    client, admin, make_org, imported, undone
):
    from datetime import date
    from decimal import Decimal

    from crm.models import EmissionProfile

    sni = make_org("Sociedad Nacional de Industrias", kind="association", trade_name="SNI")
    org = make_org("Existente SAC", ruc=ruc(1))
    db.session.add_all([
        EmissionProfile(organisation_id=org.id, electricity_mwh_year=Decimal("10.00"), emits_upops=False),
        Membership(company_id=org.id, association_id=sni.id, status="prospective", since=date(2020, 1, 1)),
    ])  # fmt: skip
    db.session.commit()
    content = (
        "RUC;Razón social;Electricidad MWh/año;Gremio;Estado de membresía;Miembro desde\n"
        f"{ruc(1)};Existente SAC;2.500,75;SNI;Activa;15/03/2023\n"
    )
    batch = imported(content)
    assert batch.status == "done", batch.error
    assert db.session.get(EmissionProfile, org.id).electricity_mwh_year == Decimal("2500.75")
    assert db.session.scalars(select(Membership.status)).one() == "active"
    undone(batch.id)
    assert db.session.get(EmissionProfile, org.id).electricity_mwh_year == Decimal("10.00")
    membership = db.session.scalars(select(Membership)).one()
    assert (membership.status, membership.since) == ("prospective", date(2020, 1, 1))

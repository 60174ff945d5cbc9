"""Contact files: organisation by RUC or name, match by e-mail; stages move by the pipeline's rules."""

from __future__ import annotations

from datetime import date

from imports_support import ruc, text
from sqlalchemy import select

from crm.extensions import db
from crm.models import Contact, Engagement, ImportBatch, Programme, StageTransition

CONTACTS = (
    "Nombres y apellidos;Cargo;Correo;Sexo;Acepta correos;Consultor;RUC;Empresa\n"
    f"Rosa Elena Quispe Mamani;Gerente;rosa@fc.pe;F;sí;no;{ruc(1)};\n"
    "Jorge Díaz;Jefe de planta;JORGE@fc.pe;Masculino;no;x;;Fundición Callao S.A.C.\n"
    "Nadie Importante;;;;;;;Empresa Fantasma\n"
    "Rosa Duplicada;;rosa@fc.pe;;;;;\n"
    "Pedro;;pedro@fc.pe;Marciano;quizás;;;\n"
)


def test_a_contact_file_creates_and_updates_people(staff, make_org, make_contact, previewed, imported):
    org = make_org("Fundición Callao SAC", ruc=ruc(1))
    jorge = make_contact(None, "Jorge", "Díaz", email="jorge@fc.pe")
    ident, page = previewed(CONTACTS, kind="contacts", show="error")
    body = text(page)
    assert "<strong>Row 4, Empresa:</strong> No organisation is called “Empresa Fantasma”." in body
    assert "<strong>Row 5, Correo:</strong> This contact already appears in row 2 of the file." in body
    assert "<strong>Row 6, Sexo:</strong> Unknown gender “Marciano”." in body
    assert "<strong>Row 6, Acepta correos:</strong> Write yes or no (sí/no), not “quizás”." in body
    counts = db.session.get(ImportBatch, ident).counts
    assert (counts["create"], counts["update"], counts["error"]) == (1, 1, 3)
    batch = imported(CONTACTS, kind="contacts", skip_errors=True)
    assert batch.status == "done", batch.error
    rosa = db.session.scalars(select(Contact).where(Contact.email == "rosa@fc.pe")).one()
    assert (rosa.first_name, rosa.last_name, rosa.position, rosa.gender) == (
        "Rosa Elena",
        "Quispe Mamani",
        "Gerente",
        "female",
    )
    assert (rosa.email_consent, rosa.qualified_consultant, rosa.organisation_id) == (True, False, org.id)
    db.session.refresh(jorge)
    # "Consultor" is no field of a contact file: only the consultants registry makes someone qualified.
    assert (jorge.organisation_id, jorge.position, jorge.qualified_consultant, jorge.gender) == (
        org.id, "Jefe de planta", False, "male"
    )  # fmt: skip
    assert jorge.email == "jorge@fc.pe"  # matched without case, and not rewritten for case alone
    assert db.session.scalar(select(Contact.id).where(Contact.last_name == "Importante")) is None


def test_an_existing_engagement_moves_by_the_pipeline_rules(staff, make_org, imported, previewed):
    org = make_org("Fundición Callao SAC", ruc=ruc(1))
    zis = db.session.scalars(select(Programme).where(Programme.code == "ZIS-CALLAO")).one()
    db.session.add(
        Engagement(
            organisation_id=org.id, programme_id=zis.id, stage="contacted", stage_since=date(2024, 1, 1)
        )
    )
    db.session.commit()
    _ident, page = previewed(f"RUC;Razón social;Etapa\n{ruc(1)};Fundición Callao SAC;Identificada\n")
    assert "Moving back to an earlier stage needs a note." in text(page)
    batch = imported(
        f"RUC;Razón social;Etapa;Fecha de etapa\n{ruc(1)};Fundición Callao SAC;Reunión realizada;2024-02-01\n"
    )
    assert batch.status == "done", batch.error
    engagement = db.session.scalars(select(Engagement)).one()
    assert (engagement.stage, engagement.stage_since) == ("meeting_held", date(2024, 2, 1))
    transition = db.session.scalars(select(StageTransition)).one()
    assert (transition.from_stage, transition.to_stage, transition.by_id) == (
        "contacted",
        "meeting_held",
        staff.id,
    )

"""An event's sign-in sheet (CSV or XLSX): who is matched, who is new, who is skipped; commit and undo."""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imports_support import batch_id, count, ruc, text
from openpyxl import Workbook
from sqlalchemy import func, select

from crm.audit import set_actor, set_batch
from crm.clock import today
from crm.extensions import db
from crm.imports import services
from crm.imports.jobs import apply, finish
from crm.imports.matching import ascii_fold, person_key
from crm.imports.preview import context, run_pass, stored_path
from crm.imports.undo import undo_batch
from crm.models import Attendance, Contact, Event, ImportBatch, Organisation, utcnow

SHEET = (
    "Nombres;Apellidos;Correo;Empresa;Cargo;Sexo\n"
    "Rosa;Quispe;ROSA@fc.pe;;;F\n"  # 2: matched by e-mail, without case
    "Jorge;Diaz;;Fundición Callao S.A.C.;Jefe de planta;Hombre\n"  # 3: matched by name at the company
    f"Carla;Rojas;carla@nueva.pe;{ruc(1)};Analista;Mujer\n"  # 4: new, organisation by RUC
    "Carla;Rojas;Carla@Nueva.pe;;;Femenino\n"  # 5: the same person again: counted once
    "Pedro;Soto;pedro@x.pe;;;Marciano\n"  # 6: an unknown gender: an error
    "Luis;Torres;luis@fc.pe;;;M\n"  # 7: already on the list: skipped
    "Ana;Vega;;Empresa Fantasma;;prefiere no decir\n"  # 8: new, organisation unknown
)


@pytest.fixture
def world(make_org, make_contact):
    """A company, three stored people (Luis already attends) and the event."""
    org = make_org("Fundición Callao SAC", ruc=ruc(1))
    rosa = make_contact(org, "Rosa", "Quispe", email="rosa@fc.pe")
    jorge = make_contact(org, "Jorge", "Díaz")
    luis = make_contact(org, "Luis", "Torres", email="luis@fc.pe")
    event = Event(title="Taller de eficiencia energética", type="training", held_on=date(2026, 5, 4))
    db.session.add(event)
    db.session.flush()
    db.session.add(Attendance(event_id=event.id, contact_id=luis.id))
    db.session.commit()
    return {"org": org, "rosa": rosa, "jorge": jorge, "luis": luis, "event": event}


def attending(event_id: int) -> set[int]:
    """Return the contact ids on the event's list."""
    return set(db.session.scalars(select(Attendance.contact_id).where(Attendance.event_id == event_id)))


def contact(email: str | None = None, last: str | None = None) -> Contact:
    """Return the one contact with this e-mail (any case) or last name."""
    query = select(Contact)
    query = (
        query.where(func.lower(Contact.email) == email) if email else query.where(Contact.last_name == last)
    )
    return db.session.scalars(query).one()


def workbook(rows: list[list[str]]) -> bytes:
    """Return an XLSX sign-in sheet."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_preview_says_who_is_matched_new_repeated_skipped_or_wrong(staff, world, previewed):
    event = world["event"]
    ident, page = previewed(SHEET, kind="attendance", filename="asistencia.csv", event=event.id)
    body = text(page)
    counts = db.session.get(ImportBatch, ident).counts
    assert (counts["rows"], counts["update"], counts["create"], counts["unchanged"], counts["error"]) == (
        7, 2, 2, 2, 1
    )  # fmt: skip
    assert db.session.get(ImportBatch, ident).event_id == event.id
    assert "Taller de eficiencia energética" in body
    assert "<strong>Row 6, Sexo:</strong> Unknown gender “Marciano”" in body
    assert "Same person as row 4: counted once." in body and "Already on the event&#39;s list" in body
    assert "No single organisation is called “Empresa Fantasma”" in body
    assert "Add 4 people to the event" in body
    assert attending(event.id) == {world["luis"].id}  # nothing written by the preview


def test_commit_adds_each_person_once_and_undo_restores_exactly(
    client, admin, world, imported, previewed, undone
):
    event, org = world["event"], world["org"]
    contacts_before = count(Contact)
    batch = imported(SHEET, kind="attendance", skip_errors=True, filename="asistencia.csv", event=event.id)
    assert batch.status == "done", batch.error
    carla, ana = contact("carla@nueva.pe"), contact(last="Vega")
    assert (carla.first_name, carla.gender, carla.position, carla.organisation_id) == (
        "Carla", "female", "Analista", org.id
    )  # fmt: skip
    assert (ana.gender, ana.organisation_id, ana.email) == ("not_recorded", None, None)
    expected = {world["luis"].id, world["rosa"].id, world["jorge"].id, carla.id, ana.id}
    assert attending(event.id) == expected and count(Contact) == contacts_before + 2
    assert (batch.counts["attendances"], batch.counts["attending"], batch.counts["repeated"]) == (4, 1, 1)
    assert "Taller de eficiencia energética" in text(client.get(f"/imports/{batch.id}"))
    # The same sheet again: everybody is already there, nobody is added twice.
    again, page = previewed(SHEET, kind="attendance", filename="asistencia.csv", event=event.id)
    counts = db.session.get(ImportBatch, again).counts
    assert (counts["create"], counts["update"], counts["unchanged"]) == (0, 0, 6)
    refused = client.post(f"/imports/{again}/commit", data={"skip_errors": "y"})
    assert refused.status_code == 302 and db.session.get(ImportBatch, again).status == "previewed"
    assert attending(event.id) == expected and count(Contact) == contacts_before + 2
    undone(batch.id)
    assert attending(event.id) == {world["luis"].id} and count(Contact) == contacts_before
    assert db.session.get(ImportBatch, batch.id).status == "undone"


def test_an_xlsx_sheet_with_one_name_column_and_any_gender_words(staff, make_org, world, imported):
    event = world["event"]
    sheet = workbook([
        ["Nombres y apellidos", "Correo electrónico", "Institución", "Cargo", "Género"],
        ["Elena Paz", "elena@x.pe", "Fundición Callao", "Gerente", "Femenino"],
        ["Marco Antonio Ruiz Díaz", "", "", "", "male"],
        ["Sam Lee", "sam@x.pe", ruc(1), "", "otro"],
        ["Rosa Quispe", "", "Fundición Callao SAC", "", "F"],
    ])  # fmt: skip
    batch = imported(sheet, kind="attendance", filename="firmas.xlsx", event=event.id)
    assert batch.status == "done", batch.error
    elena, marco, sam = contact("elena@x.pe"), contact(last="Ruiz Díaz"), contact("sam@x.pe")
    assert (elena.gender, elena.organisation_id, elena.position) == ("female", world["org"].id, "Gerente")
    assert (marco.first_name, marco.gender, sam.gender) == ("Marco Antonio", "male", "other")
    expected = {world["luis"].id, world["rosa"].id, elena.id, marco.id, sam.id}
    assert attending(event.id) == expected


def test_erased_people_are_not_matched_and_ambiguous_ones_wait_for_a_choice(
    staff, make_contact, world, previewed
):
    erased = make_contact(None, "Borrada", "Persona", email="borrada@x.pe", erased_at=utcnow())
    make_contact(None, "Juan", "Pérez")
    make_contact(None, "Juan", "Perez")
    sheet = "Nombres;Apellidos;Correo\nBorrada;Persona;borrada@x.pe\nJuan;Pérez;\n"
    ident, page = previewed(sheet, kind="attendance", event=world["event"].id)
    counts = db.session.get(ImportBatch, ident).counts
    assert (counts["create"], counts["error"], counts["choices"]) == (1, 1, 1)
    assert "Several contacts match this person" in text(page)
    assert contact("borrada@x.pe").id == erased.id  # the erased one is never named by a sheet


def test_undo_is_refused_when_a_created_contact_attended_another_event(
    client, admin, world, imported, undone
):
    batch = imported("Nombres;Apellidos;Correo\nNina;Flores;nina@x.pe\n", kind="attendance",
                     event=world["event"].id)  # fmt: skip
    other = Event(title="Otro evento", type="awareness", held_on=date(2026, 6, 1))
    db.session.add(other)
    db.session.flush()
    db.session.add(Attendance(event_id=other.id, contact_id=contact("nina@x.pe").id))
    db.session.commit()
    assert "attended an event after the import" in text(undone(batch.id))
    assert db.session.get(ImportBatch, batch.id).status == "done" and len(attending(world["event"].id)) == 2


def test_the_event_link_opens_the_upload_ready_and_an_event_is_required(client, staff, world, upload):
    event = world["event"]
    page = text(client.get(f"/imports/new?kind=attendance&event={event.id}"))
    assert f'<option selected value="{event.id}">' in page and '<option selected value="attendance">' in page
    response = upload("Nombres;Apellidos\nA;B\n", kind="attendance")
    assert response.status_code == 400 and "Choose the event whose sign-in sheet this is." in text(response)
    response = upload("Nombres;Apellidos\nA;B\n", kind="attendance", event=event.id)
    assert (
        response.status_code == 302 and db.session.get(ImportBatch, batch_id(response)).event_id == event.id
    )


@pytest.mark.parametrize("role", ["viewer", "liaison"])
def test_viewers_and_liaisons_cannot_import_attendance(client, en_user, login, world, upload, role):
    login(en_user(role))
    event = world["event"]
    assert client.get(f"/imports/new?kind=attendance&event={event.id}").status_code == 404
    assert upload("Nombres;Apellidos\nA;B\n", kind="attendance", event=event.id).status_code == 404
    assert count(ImportBatch) == 0


# --- any mix of stored and new people, repeated rows and spellings -------------------------------------

NAMES = [
    ("José", "Núñez"),
    ("Ana", "Pérez"),
    ("Luz", "Díaz"),
    ("Raúl", "Ortiz"),
    ("Eva", "Ramos"),
    ("Iván", "Soto"),
]
PERSON = st.fixed_dictionaries(
    {
        "stored": st.booleans(),
        "attends": st.booleans(),
        "email": st.booleans(),
        "org": st.sampled_from([0, 1, None]),
    }
)
ROW = st.tuples(st.integers(0, len(NAMES) - 1), st.booleans(), st.booleans())  # person, with e-mail, shouted


def email_of(i: int) -> str:
    """Return the e-mail address of person i."""
    return f"{ascii_fold(NAMES[i][0])}.{i}@asistentes.pe"


def build(people: list[dict]) -> tuple[Event, list[Organisation]]:
    """Store two companies, the stored people (some already attending) and the event; flush only."""
    orgs = [
        Organisation(legal_name="Fundición Callao SAC", ruc=ruc(1), kind="company"),
        Organisation(legal_name="Textil Lurín", kind="company"),
    ]
    event = Event(title="Charla", type="awareness", held_on=date(2026, 3, 3))
    db.session.add_all([*orgs, event])
    db.session.flush()
    for i, person in enumerate(people):
        if person["stored"]:
            org = orgs[person["org"]].id if person["org"] is not None else None
            email = email_of(i) if person["email"] else None
            stored = Contact(first_name=NAMES[i][0], last_name=NAMES[i][1], email=email, organisation_id=org)
            db.session.add(stored)
            db.session.flush()
            if person["attends"]:
                db.session.add(Attendance(event_id=event.id, contact_id=stored.id))
    db.session.flush()
    return event, orgs


def sheet(people: list[dict], rows: list[tuple[int, bool, bool]]) -> str:
    """Write the sign-in sheet: each row's person, with or without e-mail, in capitals without accents."""
    lines = ["Nombres,Apellidos,Correo,Empresa"]
    for i, with_email, shouted in rows:
        first, last = NAMES[i]
        if shouted:
            first, last = ascii_fold(first).upper(), ascii_fold(last).upper()
        email = email_of(i) if with_email and people[i]["email"] else ""
        org = [ruc(1), "Textil Lurin S.A.C.", ""][people[i]["org"] if people[i]["org"] is not None else 2]
        lines.append(f"{first},{last},{email.upper() if shouted else email},{org}")
    return "\n".join(lines) + "\n"


def per_person(event_id: int) -> dict[str, int]:
    """Count the event's attendance rows per person (by folded name)."""
    query = (
        select(Contact.first_name, Contact.last_name).join(Attendance).where(Attendance.event_id == event_id)
    )
    found: dict[str, int] = {}
    for first, last in db.session.execute(query):
        found[person_key(first, last)] = found.get(person_key(first, last), 0) + 1
    return found


def import_sheet(path, user_id: int, event_id: int) -> ImportBatch:
    """Preview and apply a sign-in sheet in the test's transaction (what the job does, without committing)."""
    batch = services.create_batch("attendance", path, "hoja.csv", user_id, event_id)
    services.record_preview(batch, run_pass(stored_path(batch), context(batch, today())).counts)
    finish(batch, apply(batch))
    set_batch(None)
    return batch


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(PERSON, min_size=len(NAMES), max_size=len(NAMES)),
    rows=st.lists(ROW, min_size=1, max_size=12),
)
def test_any_sheet_adds_each_person_once_and_undo_restores_the_list(make_user, tmp_path, people, rows):
    user = make_user("admin")  # committed before anything of this example is written
    try:
        event, _orgs = build(people)
        before, contacts_before = attending(event.id), count(Contact)
        path = tmp_path / f"hoja-{user.id}.csv"
        path.write_text(sheet(people, rows), encoding="utf-8")
        batch = import_sheet(path, user.id, event.id)
        expected = {i for i, *_ in rows} | {i for i, p in enumerate(people) if p["stored"] and p["attends"]}
        assert per_person(event.id) == {person_key(*NAMES[i]): 1 for i in expected}
        stored = select(Contact.first_name, Contact.last_name)
        keys = [person_key(first, last) for first, last in db.session.execute(stored)]
        assert len(keys) == len(set(keys))  # nobody was created twice
        undo_batch(batch, user)
        assert attending(event.id) == before and count(Contact) == contacts_before
    finally:
        set_batch(None)
        set_actor(None)
        db.session.rollback()


def test_a_deleted_event_turns_every_row_into_an_error(client, staff, world, previewed):
    from crm.events.services import delete_event

    ident, _page = previewed("Nombres;Apellidos\nNina;Flores\n", kind="attendance", event=world["event"].id)
    delete_event(db.session.get(Event, world["event"].id))
    db.session.commit()
    page = client.get(f"/imports/{ident}")
    assert page.status_code == 200 and "The event of this import no longer exists." in text(page)
    client.post(f"/imports/{ident}/commit", data={"skip_errors": "y"})
    assert db.session.get(ImportBatch, ident).status == "previewed"

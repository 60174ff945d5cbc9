"""Ley 29733 erasure reaches stored files: import batches' CSV/XLSX and captured e-mails' attachments."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from crm.documents import store_upload
from crm.errors import UserError
from crm.extensions import db
from crm.imports.preview import stored_path
from crm.imports.reading import records
from crm.imports.services import create_batch
from crm.models import Contact, Document, EmailMessage, Erasure, ImportBatch
from crm.privacy.erasure import erase_contact
from crm.text import fold

FIRST, LAST = "Zoila", "Ñahuincopa"
NAME, EMAIL, PHONE = f"{FIRST} {LAST}", "zoila.nahuincopa@quispe-textil.pe", "+51 987 654 321"
TRACES = [NAME, f"{LAST} {FIRST}", EMAIL, PHONE, "987654321", LAST]
HEADER = "Nombres;Apellidos;Correo;Teléfono;Cargo;Notas\r\n"
CONTACTS_CSV = HEADER + (
    f"{FIRST};{LAST};{EMAIL};{PHONE};Gerente;Prefiere llamadas\r\n"
    "Pedro;Ramos;pedro.ramos@quispe-textil.pe;+51 911 222 333;Jefe de planta;"
    f"Presentado por {NAME}\r\n"
    ";;;;;\r\n"
    "Rosa;Quispe;rosa@quispe-textil.pe;;Contadora;\r\n"
)
ORGS_CSV = (  # Windows-1252 with the contact's name in one column
    "Razón social;RUC;Contacto;Correo\r\n"
    f"Textiles Quispe SAC;20100000001;{NAME};{EMAIL}\r\n"
    "Fundición Callao SAC;20100000002;Pedro Ramos;pedro.ramos@quispe-textil.pe\r\n"
)
OTHERS_CSV = HEADER + "Pedro;Ramos;pedro.ramos@quispe-textil.pe;+51 911 222 333;Jefe;\r\n"


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    """Keep this test's uploaded files in its own folder."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))


def _workbook(path: Path) -> Path:
    """Write a workbook naming the person in cells, a number cell, a comment, a link, a second sheet."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Nombres", "Apellidos", "Correo", "Teléfono", "Cargo"])
    sheet.append([FIRST, LAST, EMAIL, 987654321, "Gerente"])
    sheet.append(["Pedro", "Ramos", "pedro.ramos@quispe-textil.pe", 911222333, "Jefe de planta"])
    sheet["C2"].hyperlink = f"mailto:{EMAIL}"
    sheet["E3"].comment = Comment(f"Reemplaza a {NAME}", "Pedro")
    book.create_sheet("Notas").append([f"Llamar a {NAME.upper()} al {PHONE}"])
    book.properties.creator = NAME
    book.save(path)
    return path


def _batch(
    tmp_path: Path, kind: str, name: str, content: bytes | Path, user_id: int, status: str
) -> ImportBatch:
    """Store a file as an import batch with the guessed mapping, at the given status."""
    source = content if isinstance(content, Path) else tmp_path / name
    if not isinstance(content, Path):
        source.write_bytes(content)
    batch = create_batch(kind, source, name, user_id)
    batch.status = status
    batch.decisions = {"2": "create"}
    done = {"rows": 3, "create": 3, "update": 0, "unchanged": 0, "error": 0}
    batch.counts = done if status == "done" else {}
    db.session.commit()
    return batch


def _attachment(text: str, user_id: int) -> Document:
    """Store a PDF attachment whose bytes hold the text."""
    data = f"%PDF-1.4\n% {text}\n%%EOF\n".encode()
    return store_upload(FileStorage(io.BytesIO(data), filename="cv.pdf"), user_id)


def _email(message_id: str, address: str, name: str, document: Document, org_id: int) -> None:
    """Add a captured e-mail from someone with one stored attachment."""
    attached = {"name": f"CV {name}.pdf", "size": 40, "document_id": document.id, "note": ""}
    db.session.add(
        EmailMessage(
            message_id=message_id,
            thread_id=message_id,
            status="logged",
            sent_at=datetime.now(UTC),
            subject=f"CV de {name}",
            from_address=address,
            from_name=name,
            participants=[{"role": "from", "address": address, "name": name}],
            attachments=[
                attached,
                {"name": "grande.pdf", "size": 9, "document_id": None, "note": "too_large"},
            ],
            organisation_id=org_id,
        )
    )


@pytest.fixture
def seeded(app, tmp_path, make_org, make_user, make_contact):
    """Seed the person into import files (CSV, Windows-1252 CSV, XLSX) and an e-mail attachment."""
    org, admin = make_org("Textiles Quispe SAC"), make_user("admin", locale="en")
    person = make_contact(org, FIRST, LAST, email=EMAIL, phone=PHONE)
    make_contact(org, "Pedro", "Ramos", email="pedro.ramos@quispe-textil.pe")
    batches = {
        "done": _batch(
            tmp_path, "contacts", "contactos.csv", CONTACTS_CSV.encode("utf-8-sig"), admin.id, "done"
        ),
        "pending": _batch(
            tmp_path, "contacts", "pendiente.csv", CONTACTS_CSV.encode(), admin.id, "previewed"
        ),
        "cp1252": _batch(
            tmp_path, "organisations", "empresas.csv", ORGS_CSV.encode("cp1252"), admin.id, "done"
        ),
        "xlsx": _batch(tmp_path, "contacts", "lista.xlsx", _workbook(tmp_path / "l.xlsx"), admin.id, "done"),
        "others": _batch(tmp_path, "contacts", "otros.csv", OTHERS_CSV.encode(), admin.id, "done"),
    }
    hers = _attachment(f"Curriculum de {NAME}, {EMAIL}, {PHONE}", admin.id)
    his = _attachment("Curriculum de Pedro Ramos", admin.id)
    _email("<cv-zoila@x>", EMAIL, NAME, hers, org.id)
    _email("<cv-pedro@x>", "pedro.ramos@quispe-textil.pe", "Pedro Ramos", his, org.id)
    db.session.commit()
    assert _files_with_traces(app) != []
    return {"person": person, "admin": admin, "batches": batches, "hers": hers, "his": his}


def _texts(data: bytes) -> list[str]:
    """Return the ways a file's bytes may read as text, an XLSX's XML parts included."""
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return [book.read(name).decode("utf-8", "replace") for name in book.namelist()]
    return [data.decode("utf-8", "replace"), data.decode("cp1252", "replace")]


def _files_with_traces(app) -> list[str]:
    """Return the files under the upload folder (imports included) whose text holds a trace."""
    forms = {fold(t) for t in TRACES} | {t.lower() for t in TRACES}
    found = []
    for path in Path(app.config["UPLOAD_DIR"]).rglob("*"):
        if path.is_file() and any(
            f in t.lower() or f in fold(t) for t in _texts(path.read_bytes()) for f in forms
        ):
            found.append(path.name)
    return found


def _snapshot(app) -> dict[str, bytes]:
    """Return every stored file's bytes by name."""
    return {p.name: p.read_bytes() for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()}


def test_erasure_rewrites_import_files_and_deletes_attachments(app, seeded, client, login):
    before, hers, hers_id = _snapshot(app), seeded["hers"].storage_name, seeded["hers"].id
    batches = seeded["batches"]
    erasure_id = erase_contact(seeded["person"].id, seeded["admin"].id, "Solicitud escrita")
    db.session.commit()
    db.session.expire_all()
    assert _files_with_traces(app) == []
    label = f"Persona eliminada #{seeded['person'].id}"
    done = list(records(stored_path(batches["done"])))
    assert done[1] == ["", "", "", "", "", "Prefiere llamadas"]  # her row keeps its number, emptied
    assert done[2][:2] == ["Pedro", "Ramos"] and done[2][5] == f"Presentado por {label}"
    assert done[3] == ["", "", "", "", "", ""] and done[4][0] == "Rosa"
    assert list(records(stored_path(batches["cp1252"])))[1] == ["Textiles Quispe SAC", "20100000001", "", ""]
    sheet = load_workbook(stored_path(batches["xlsx"])).worksheets
    assert [c.value for c in sheet[0][2]] == [None] * 5  # position too: a person column
    assert [c.value for c in sheet[0][3]][:2] == ["Pedro", "Ramos"] and sheet[0]["E3"].comment is None
    assert sheet[1]["A1"].value == f"Llamar a {label} al {label}"
    assert _snapshot(app)[batches["others"].stored_name] == before[batches["others"].stored_name]
    assert not list(Path(app.config["UPLOAD_DIR"]).rglob("*.erasing"))
    assert db.session.get(Document, hers_id) is None
    his = db.session.get(Document, seeded["his"].id)
    assert his is not None and _snapshot(app)[his.storage_name] == before[his.storage_name]
    assert hers in before and hers not in _snapshot(app)
    email = db.session.scalar(select(EmailMessage).where(EmailMessage.message_id == "<cv-zoila@x>"))
    assert email.attachments[0]["document_id"] is None and email.attachments[0]["note"] == "erased"
    record = db.session.get(Erasure, erasure_id)
    assert record.summary["documents"] == 1 and record.summary["import_files"] == 4
    assert record.summary["import_batches"] == 4
    stored = json.dumps([record.reason, record.summary], ensure_ascii=False).lower()
    assert not any(fold(t) in fold(stored) for t in TRACES)
    login(seeded["admin"])
    for batch in batches.values():
        page = client.get(f"/imports/{batch.id}")
        assert page.status_code == 200, page.data[:500]
        assert not any(t.encode() in page.data for t in TRACES)
    page = client.get(f"/mail-capture/emails/{email.id}")
    assert page.status_code == 200 and b"data-protection erasure" in page.data


def test_a_rolled_back_erasure_keeps_every_file(app, seeded):
    before = _snapshot(app)
    erase_contact(seeded["person"].id, seeded["admin"].id, "Solicitud escrita")
    db.session.rollback()
    assert _snapshot(app) == before
    assert db.session.get(Document, seeded["hers"].id) is not None
    erase_contact(seeded["person"].id, seeded["admin"].id, "Solicitud escrita")
    db.session.commit()
    assert _files_with_traces(app) == []


def test_a_file_that_cannot_be_read_goes_and_the_batch_says_why(app, seeded, client, login):
    batch = seeded["batches"]["others"]
    stored_path(batch).write_bytes(f"Nombres\x00;{NAME}\r\n".encode())  # damaged since the upload
    erase_contact(seeded["person"].id, seeded["admin"].id, "Solicitud escrita")
    db.session.commit()
    assert not stored_path(batch).exists() and _files_with_traces(app) == []
    assert db.session.get(ImportBatch, batch.id).counts["file_erased"] == 1
    login(seeded["admin"])
    page = client.get(f"/imports/{batch.id}")
    assert page.status_code == 200 and b"data-protection erasure" in page.data


def test_an_import_running_on_a_file_naming_the_person_stops_the_erasure(app, seeded):
    batch = seeded["batches"]["pending"]
    batch.status = "running"
    db.session.commit()
    before = _snapshot(app)
    with pytest.raises(UserError):
        erase_contact(seeded["person"].id, seeded["admin"].id, "Solicitud escrita")
    db.session.rollback()
    assert _snapshot(app) == before


def test_two_erasures_in_one_transaction_both_reach_the_file(app, seeded):
    pedro = db.session.scalar(select(Contact).where(Contact.first_name == "Pedro"))
    erase_contact(seeded["person"].id, None, "Solicitud escrita")
    erase_contact(pedro.id, None, "Solicitud escrita")
    db.session.commit()
    rows = list(records(stored_path(seeded["batches"]["done"])))
    assert rows[1][:5] == rows[2][:5] == ["", "", "", "", ""] and rows[4][0] == "Rosa"
    assert b"pedro.ramos" not in stored_path(seeded["batches"]["others"]).read_bytes()
    assert _files_with_traces(app) == []


def test_the_erase_page_changes_the_files_when_its_request_commits(app, seeded, client, login):
    batch = seeded["batches"]["pending"]
    login(seeded["admin"])
    page = client.get(f"/imports/{batch.id}")
    assert page.status_code == 200 and NAME.encode() in page.data
    done = client.post(f"/privacy/contact/{seeded['person'].id}/erase", data={"reason": "Carta del 2/12"})
    assert done.status_code == 302
    assert _files_with_traces(app) == [] and not list(Path(app.config["UPLOAD_DIR"]).rglob("*.erasing"))
    page = client.get(f"/imports/{batch.id}")  # the pending import's preview: her row has no contact left
    assert page.status_code == 200 and not any(t.encode() in page.data for t in TRACES)
    assert b"Pedro" in page.data


def _signed_letter(make_org, make_contact, make_user):
    """A company's signed interest letter with its scan, signed by the person; return (contact, letter)."""
    from crm.models import Letter

    org = make_org("Textiles Quispe SAC")
    person = make_contact(org, FIRST, LAST, email=EMAIL)
    scan = _attachment(f"Firmado por {NAME}", make_user("staff").id)
    letter = Letter(organisation_id=org.id, kind="interest", status="signed",
                    signed_on=datetime.now(UTC).date(), signatory_id=person.id, document_id=scan.id)
    db.session.add(letter)
    db.session.commit()
    return person, letter


def test_an_erasure_keeps_signed_scans_unless_asked(client, login, make_user, make_org, make_contact):
    from crm.documents import stored_file
    from crm.models import Letter

    person, letter = _signed_letter(make_org, make_contact, make_user)
    path = stored_file(letter.document.storage_name)
    login(make_user("admin"))
    page = client.get(f"/privacy/contact/{person.id}/erase").get_data(as_text=True)
    assert "Textiles Quispe SAC" in page and "drop_letter_scans" in page
    answer = client.post(f"/privacy/contact/{person.id}/erase", data={"reason": "Pedido del 1 dic."})
    assert answer.status_code == 302
    assert db.session.get(Letter, letter.id).document_id is not None and path.exists()
    assert db.session.scalar(select(Erasure.summary))["letter_scans_kept"] == 1


def test_an_erasure_asked_to_deletes_the_scans_and_files(client, login, make_user, make_org, make_contact):
    from crm.documents import stored_file
    from crm.models import Letter

    person, letter = _signed_letter(make_org, make_contact, make_user)
    document_id, path = letter.document_id, stored_file(letter.document.storage_name)
    login(make_user("admin"))
    data = {"reason": "Pedido del 1 dic.", "drop_letter_scans": "y"}
    assert client.post(f"/privacy/contact/{person.id}/erase", data=data).status_code == 302
    kept = db.session.get(Letter, letter.id)
    assert kept.document_id is None and kept.status == "signed"  # the commitment stays, its evidence is gone
    assert db.session.get(Document, document_id) is None and not path.exists()
    assert db.session.scalar(select(Erasure.summary))["letter_scans_deleted"] == 1

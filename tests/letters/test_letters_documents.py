"""Scanned documents: accepted by content; empty, oversize or other kinds refused; downloaded in scope."""

from __future__ import annotations

import errno
import hashlib
import io
import os

import pytest
from letters_support import JPEG, PDF, PNG, TEXT, count, form, upload
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from crm.documents import store_upload
from crm.errors import UserError
from crm.extensions import db
from crm.models import Document, Letter


def storage(content: bytes, name: str, mimetype: str = "application/pdf") -> FileStorage:
    """Wrap bytes as an uploaded file, with whatever type the browser claimed."""
    return FileStorage(stream=io.BytesIO(content), filename=name, content_type=mimetype)


@pytest.fixture(autouse=True)
def _english():
    """Service-level messages are checked in English (requests carry their user's locale)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


# --- store_upload -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (PDF, "carta firmada.pdf", "application/pdf"),
        (PNG, "escaneo.pdf", "image/png"),  # a PNG renamed .pdf is still a PNG: accepted as such
        (JPEG, "foto.PDF", "image/jpeg"),
    ],
)
def test_accepted_by_content_not_by_name(upload_dir, world, content, name, expected):
    document = store_upload(storage(content, name, "text/plain"), world.staff.id)
    db.session.commit()
    stored = db.session.get(Document, document.id)
    assert stored.content_type == expected
    assert stored.original_name == name
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.uploaded_by_id == world.staff.id
    assert len(stored.storage_name) == 32 and name not in stored.storage_name
    assert (upload_dir / stored.storage_name).read_bytes() == content


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (TEXT, "carta.pdf", "Only PDF, PNG or JPEG files are accepted"),
        (b"GIF89a" + b"\x00" * 20, "carta.pdf", "Only PDF, PNG or JPEG files are accepted"),
        (b"MZ\x90\x00" + b"\x00" * 60, "carta.pdf", "Only PDF, PNG or JPEG files are accepted"),
        (b"", "carta.pdf", "The file is empty"),
    ],
)
def test_refused_content_leaves_nothing(upload_dir, world, content, name, message):
    with pytest.raises(UserError, match=message):
        store_upload(storage(content, name), world.staff.id)
    db.session.rollback()
    assert count(Document) == 0
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_missing_file_is_refused(world):
    with pytest.raises(UserError, match="Choose a file"):
        store_upload(None, world.staff.id)
    with pytest.raises(UserError, match="Choose a file"):
        store_upload(storage(b"", ""), world.staff.id)
    assert count(Document) == 0


def test_oversize_is_refused_by_the_configured_limit(app, monkeypatch, upload_dir, world):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    with pytest.raises(UserError, match="larger than 0.0009765"):
        store_upload(storage(PDF + b"x" * 2000, "big.pdf"), world.staff.id)
    assert count(Document) == 0
    assert list(upload_dir.iterdir()) == []
    store_upload(storage(PDF + b"x" * 500, "small.pdf"), world.staff.id)
    assert count(Document) == 1


# --- uploads through the letter form ------------------------------------------------------------------


def post_letter(client, org, content: bytes, name: str):
    """Submit the new-letter form with a file."""
    data = form(document=upload(content, name))
    url = f"/letters/new?organisation_id={org.id}"
    return client.post(url, data=data, content_type="multipart/form-data")


def test_create_with_a_scan_stores_it(client, login, world, upload_dir):
    login(world.staff)
    response = post_letter(client, world.company, PDF, "Carta de interés.pdf")
    assert response.status_code == 302
    letter = db.session.scalars(select(Letter)).one()
    assert letter.document.original_name == "Carta de interés.pdf"
    assert (upload_dir / letter.document.storage_name).read_bytes() == PDF


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (TEXT, "carta.pdf", b"Only PDF, PNG or JPEG files are accepted"),
        (b"", "carta.pdf", b"The file is empty"),
    ],
)
def test_bad_file_on_the_form_saves_nothing(client, login, world, upload_dir, content, name, message):
    login(world.staff)
    response = post_letter(client, world.company, content, name)
    assert response.status_code == 400
    assert message in response.data
    assert count(Letter) == 0 and count(Document) == 0
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_letter_without_a_file_is_fine(client, login, world):
    login(world.staff)
    response = client.post(
        f"/letters/new?organisation_id={world.company.id}",
        data=form(document=upload(b"", "")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Letter)).one().document_id is None


def test_oversize_request_gets_a_clear_page_and_saves_nothing(app, client, login, world, monkeypatch):
    login(world.staff)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = post_letter(client, world.company, PDF + b"x" * 5000, "big.pdf")
    assert response.status_code == 413
    assert b"larger than" in response.data and b"Nothing was saved" in response.data
    assert f"/letters/new?organisation_id={world.company.id}".encode() in response.data
    assert count(Letter) == 0 and count(Document) == 0


def test_replacing_the_scan_on_edit(client, login, world, upload_dir, make_letter):
    login(world.staff)
    post_letter(client, world.company, PDF, "primera.pdf")
    letter = db.session.scalars(select(Letter)).one()
    data = form(version=letter.version_id, document=upload(JPEG, "segunda.jpg"))
    response = client.post(f"/letters/{letter.id}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    letter = db.session.get(Letter, letter.id)
    assert letter.document.original_name == "segunda.jpg"
    assert letter.document.content_type == "image/jpeg"


def test_bad_file_on_edit_changes_nothing(client, login, world, upload_dir):
    login(world.staff)
    post_letter(client, world.company, PDF, "primera.pdf")
    letter = db.session.scalars(select(Letter)).one()
    data = form(version=letter.version_id, notes="cambiada", document=upload(TEXT, "otra.pdf"))
    response = client.post(f"/letters/{letter.id}/edit", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert b"Only PDF, PNG or JPEG files are accepted" in response.data
    db.session.expire_all()
    letter = db.session.get(Letter, letter.id)
    assert letter.notes is None and letter.document.original_name == "primera.pdf"
    assert count(Document) == 1 and len(list(upload_dir.iterdir())) == 1


# --- download -----------------------------------------------------------------------------------------


@pytest.fixture
def scanned(client, login, world):
    """A letter of the company with a PDF scan, uploaded by staff (then signed out)."""
    login(world.staff)
    post_letter(client, world.company, PDF, "Carta ñandú firmada.pdf")
    client.post("/auth/logout")
    return db.session.scalars(select(Letter)).one()


@pytest.mark.parametrize("role", ["staff", "viewer", "manager"])
def test_download_for_readers(client, login, world, scanned, role):
    login(getattr(world, role))
    response = client.get(f"/letters/{scanned.id}/document")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "Carta_nandu_firmada.pdf" in disposition


def test_download_name_gets_the_real_extension(client, login, world):
    login(world.staff)
    post_letter(client, world.company, PNG, "escaneo.pdf")
    letter = db.session.scalars(select(Letter)).one()
    response = client.get(f"/letters/{letter.id}/document")
    assert response.mimetype == "image/png"
    assert "escaneo.pdf.png" in response.headers["Content-Disposition"]


def test_liaison_never_downloads(client, login, liaison_world, make_letter, upload_dir):
    letter = make_letter(liaison_world.member)
    document = store_upload(storage(PDF, "carta.pdf"), None)
    letter.document_id = document.id
    db.session.commit()
    login(liaison_world.liaison)
    assert client.get(f"/letters/{letter.id}/document").status_code == 404
    assert client.get(f"/letters/{letter.id}").status_code == 404


def test_unknown_or_documentless_letters_answer_404(client, login, world, make_letter, scanned):
    bare = make_letter(world.other)
    login(world.viewer)
    for url in (f"/letters/{bare.id}/document", "/letters/999999/document", f"/letters/{2**40}/document"):
        assert client.get(url).status_code == 404, url


def test_file_missing_on_disk_is_404_not_500(client, login, world, scanned, upload_dir):
    (upload_dir / scanned.document.storage_name).unlink()
    login(world.viewer)
    assert client.get(f"/letters/{scanned.id}/document").status_code == 404


def test_signed_out_users_are_sent_to_sign_in(client, scanned):
    response = client.get(f"/letters/{scanned.id}/document")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


class FullDisk:
    """A file opened on a full disk: the operating system refuses every write (ENOSPC)."""

    def __init__(self, real) -> None:
        self.real = real

    def write(self, _data: bytes) -> int:
        """Refuse like write(2) on a full file system."""
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.real.close()


def test_a_full_disk_gets_a_clear_message_and_leaves_nothing(client, login, world, upload_dir, monkeypatch):
    login(world.staff)
    real_open = open
    full = lambda path, mode: FullDisk(real_open(path, mode))  # noqa: E731
    monkeypatch.setattr("crm.documents.open", full, raising=False)
    response = post_letter(client, world.company, PDF, "carta.pdf")
    assert response.status_code == 400
    assert b"disk is full: the file was not saved and nothing changed" in response.data
    assert count(Letter) == 0 and count(Document) == 0
    assert list(upload_dir.iterdir()) == []  # the half-written file is gone

"""Backups that restore: back up, destroy the database and the uploads, restore, compare everything."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect, text

from crm.extensions import db
from crm.models import Document
from crm.system import backup
from tests.conftest import reset_schema


def every_row() -> dict[str, list]:
    """Return every row of every table, sorted, as text."""
    with db.engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {
            name: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{name}"')).all()))  # noqa: S608
            for name in names
        }


def destroy() -> None:
    """Lose the database: delete the SQLite file, or drop PostgreSQL's schema with everything in it."""
    db.session.remove()
    db.engine.dispose()
    if db.engine.dialect.name == "sqlite":
        Path(db.engine.url.database).unlink()
    else:
        reset_schema()


def every_file(folder: Path) -> dict[str, bytes]:
    """Return every file under the folder with its content."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def folders(app, tmp_path, monkeypatch):
    """Point the uploads and the backups at fresh folders."""
    uploads, backups = tmp_path / "uploads", tmp_path / "backups"
    (uploads / "letters").mkdir(parents=True)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(uploads))
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(backups))
    return uploads, backups


def some_data(make_user, make_org, make_contact, uploads: Path) -> None:
    """Users, organisations, a contact, a document and its file, and a nested upload."""
    make_user("staff", name="Sofía Ñahui")
    org = make_org("Fundición Callao SAC", ruc="20100000001")
    make_contact(org, "Ana", "Quispe", email="ana@callao.pe")
    (uploads / "letters" / "carta.pdf").write_bytes(b"%PDF-1.4 carta firmada " + os.urandom(64))
    (uploads / "imports").mkdir()
    (uploads / "imports" / "lista.csv").write_text("ruc,nombre\n20100000001,Fundición\n", encoding="utf-8")
    db.session.add(
        Document(
            storage_name="carta-0001.pdf",
            original_name="carta.pdf",
            content_type="application/pdf",
            size=87,
            sha256="0" * 64,
        )
    )
    db.session.commit()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_backup_destroy_restore_gives_back_every_table_and_file(
    app, folders, make_user, make_org, make_contact, monkeypatch, encrypted
):
    uploads, backups = folders
    if encrypted:
        monkeypatch.setitem(app.config, "BACKUP_KEY", Fernet.generate_key().decode())
    some_data(make_user, make_org, make_contact, uploads)
    rows, files = every_row(), every_file(uploads)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["crm", "backup"])
    assert made.exit_code == 0, made.output
    archive = Path(made.output.strip())
    assert archive.parent == backups and archive.name.endswith(".tar.gz.enc" if encrypted else ".tar.gz")
    assert b"Fundici" not in archive.read_bytes() or not encrypted
    destroy()
    shutil.rmtree(uploads)
    assert every_row() == {} and not uploads.exists()
    restored = runner.invoke(args=["crm", "restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert every_row() == rows
    assert every_file(uploads) == files
    make_org("Textil Nueva SAC")  # the ids carry on after the restored ones


def test_restore_refuses_a_database_that_is_not_empty(app, folders, make_org):
    make_org("Viva SAC")
    archive = backup.create_backup()
    result = app.test_cli_runner().invoke(args=["crm", "restore", str(archive)])
    assert result.exit_code != 0 and "The database is not empty" in result.output


def test_an_encrypted_backup_needs_its_key(app, folders, monkeypatch):
    right = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "BACKUP_KEY", right)
    archive = backup.create_backup()
    destroy()
    shutil.rmtree(folders[0])
    runner = app.test_cli_runner()
    monkeypatch.setitem(app.config, "BACKUP_KEY", Fernet.generate_key().decode())
    result = runner.invoke(args=["crm", "restore", str(archive)])
    assert result.exit_code != 0 and "BACKUP_KEY does not open this backup" in result.output
    assert every_row() == {}
    monkeypatch.setitem(app.config, "BACKUP_KEY", right)
    assert runner.invoke(args=["crm", "restore", str(archive)]).exit_code == 0
    assert "alembic_version" in every_row()


def test_the_periodic_job_backs_up_when_due_and_keeps_the_newest(app, folders, monkeypatch):
    _, backups = folders
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 2)
    for _ in range(3):
        backup.create_backup()
    assert "recent" in backup.run_scheduled_backup()
    monkeypatch.setitem(app.config, "BACKUP_INTERVAL_HOURS", 0)
    newest = backup.run_scheduled_backup()
    assert backup.backups()[0].name == Path(newest).name
    assert len(list(backups.glob("crm-backup-*"))) == 2


def test_the_system_page_shows_free_space_and_the_last_backup(app, client, folders, make_user, login):
    login(make_user("admin", locale="en"))
    assert "none yet" in text_of(client.get("/system/"))
    backup.create_backup()
    page = text_of(client.get("/system/"))
    assert "Disk space" in page and "GB free of" in page and "none yet" not in page
    assert str(folders[0]) in page and str(folders[1]) in page


def text_of(response) -> str:
    """Return the page's text."""
    assert response.status_code == 200
    return response.get_data(as_text=True)

"""Restoring a backup archive (crm/system/backup.py) into an empty database and an empty upload folder."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from cryptography.fernet import InvalidToken
from flask import current_app
from sqlalchemy import inspect

from crm.errors import UserError
from crm.extensions import db
from crm.system.backup import FORMAT, engine_url, fernet, pg_environment, run

EMPTY_PATH = "SELECT pg_catalog.set_config('search_path', '', false);"


def open_archive(path: Path, work: Path) -> Path:
    """Decrypt the archive if needed and unpack it into the work folder; return the folder."""
    data = path.read_bytes()
    if path.name.endswith(".enc"):
        cipher = fernet()
        if cipher is None:
            raise UserError("This backup is encrypted: set BACKUP_KEY to the key it was made with.")
        try:
            data = cipher.decrypt(data)
        except InvalidToken as exc:
            raise UserError(
                "BACKUP_KEY does not open this backup (wrong key, or the file is damaged)."
            ) from exc
    plain = work / "archive.tar.gz"
    plain.write_bytes(data)
    with tarfile.open(plain, "r:gz") as tar:
        tar.extractall(work / "content", filter="data")  # no absolute paths, links out or devices
    return work / "content"


def check_empty() -> None:
    """Refuse to restore over a database that has tables or an upload folder that has files."""
    db.engine.dispose()
    if inspect(db.engine).get_table_names():
        raise UserError("The database is not empty: restore into a new, empty database.")
    uploads = Path(current_app.config["UPLOAD_DIR"])
    if uploads.is_dir() and any(uploads.iterdir()):
        raise UserError(f"The upload folder {uploads} is not empty: restore into an empty one.")


def load_database(content: Path, name: str) -> None:
    """Bring the dumped database into the app's (empty) database."""
    url = engine_url()
    is_sqlite = url.get_backend_name() == "sqlite"
    if is_sqlite != (name == "database.sqlite"):
        raise UserError("This backup is of another kind of database (SQLite and PostgreSQL do not mix).")
    db.engine.dispose()
    if is_sqlite:
        source, target = sqlite3.connect(content / name), sqlite3.connect(url.database)
        with target:
            source.backup(target)
        source.close()
        target.close()
        return
    args, env = pg_environment(url)
    script = content / "database.sql"
    run(["pg_restore", "--no-owner", "--no-privileges", "-f", str(script), str(content / name)], env)
    # pg_dump empties search_path while restoring, which breaks SQL functions that call one another
    # unqualified (crm_fold3 -> crm_fold) when an index uses them; the target is empty, so public is safe.
    sql = script.read_text(encoding="utf-8").replace(EMPTY_PATH, "SET search_path = public, pg_catalog;")
    script.write_text(sql, encoding="utf-8")
    run(
        [
            "psql",
            *args,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-d",
            url.database,
            "-f",
            str(script),
        ],
        env,
    )


def restore_backup(path: Path) -> dict:
    """Restore the archive into this empty instance; return its manifest."""
    check_empty()
    with tempfile.TemporaryDirectory() as tmp:
        content = open_archive(Path(path), Path(tmp))
        manifest = json.loads((content / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise UserError(f"Unknown backup format {manifest.get('format')!r}.")
        load_database(content, manifest["database"])
        uploads = Path(current_app.config["UPLOAD_DIR"])
        uploads.mkdir(parents=True, exist_ok=True)
        shutil.copytree(content / "uploads", uploads, dirs_exist_ok=True)
    db.engine.dispose()
    return manifest

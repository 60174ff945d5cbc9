"""Backups that restore: the database (SQLite online backup API, or pg_dump) and the uploads in one archive.

An archive is a gzip'd tar holding manifest.json, the database (database.sqlite or database.dump, pg_dump's
custom format) and uploads/; with BACKUP_KEY set it is encrypted whole with Fernet (AES-128-CBC and HMAC,
from the `cryptography` library) and named .tar.gz.enc. A restore goes into an empty database and an empty
upload folder only, so it can never overwrite a live instance by mistake.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from crm.errors import UserError  # a backup or restore that cannot go on: the operator's message
from crm.extensions import db
from crm.jobs import job
from crm.models import utcnow

FORMAT = 1
PATTERN = "crm-backup-*.tar.gz*"


def engine_url():
    """Return the database URL of the app."""
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def pg_environment(url) -> tuple[list[str], dict[str, str]]:
    """Return libpq arguments, and an environment carrying the password (never on the command line)."""
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return args, env


def run(command: list[str], env: dict[str, str]) -> None:
    """Run a PostgreSQL client program; raise with its message if it fails."""
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise UserError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def dump_database(folder: Path) -> str:
    """Write a consistent copy of the database into the folder; return its file name."""
    url = engine_url()
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise UserError("An in-memory SQLite database cannot be backed up.")
        source, copy = sqlite3.connect(url.database), sqlite3.connect(folder / "database.sqlite")
        with copy:
            source.backup(copy)  # the online backup API: a consistent snapshot while the app writes
        source.close()
        copy.close()
        return "database.sqlite"
    args, env = pg_environment(url)
    run(["pg_dump", *args, "-Fc", "--no-owner", "-f", str(folder / "database.dump"), url.database], env)
    return "database.dump"


def revision() -> str | None:
    """Return the schema's Alembic revision."""
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def fernet() -> Fernet | None:
    """Return the cipher of BACKUP_KEY, or None when backups are not encrypted."""
    key = current_app.config.get("BACKUP_KEY")
    try:
        return Fernet(key.encode()) if key else None
    except ValueError as exc:
        raise UserError("BACKUP_KEY is not a Fernet key (make one with `flask crm backup-key`).") from exc


def create_backup(target: Path | None = None) -> Path:
    """Write a backup archive into the backup folder; return its path."""
    target = Path(target or current_app.config["BACKUP_DIR"])
    target.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    with tempfile.TemporaryDirectory(dir=target) as tmp:
        work = Path(tmp)
        name = dump_database(work)
        manifest = {"format": FORMAT, "database": name, "created_at": utcnow().isoformat()}
        manifest["revision"] = revision()
        (work / "manifest.json").write_text(json.dumps(manifest))
        archive = work / "archive.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(work / name, arcname=name)
            add_uploads(tar, Path(current_app.config["UPLOAD_DIR"]), target)
        return seal(archive, target / f"crm-backup-{stamp}.tar.gz")


def add_uploads(tar: tarfile.TarFile, uploads: Path, target: Path) -> None:
    """Add the upload folder as uploads/ (empty if there is none), without the backups if they sit inside."""
    if not uploads.is_dir():
        folder = tarfile.TarInfo("uploads")
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        return
    try:
        inside = "uploads/" + str(target.resolve().relative_to(uploads.resolve()))
    except ValueError:
        inside = None

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        return None if inside and (info.name == inside or info.name.startswith(inside + "/")) else info

    tar.add(uploads, arcname="uploads", filter=keep)


def seal(archive: Path, final: Path) -> Path:
    """Encrypt the archive if a key is set and move it into place whole (never a half-written backup)."""
    cipher = fernet()
    if cipher is not None:
        final = final.with_name(final.name + ".enc")
        archive.write_bytes(cipher.encrypt(archive.read_bytes()))
    partial = final.with_name(final.name + ".part")
    shutil.move(archive, partial)
    os.replace(partial, final)
    return final


def backups(folder: Path | None = None) -> list[Path]:
    """Return the backup archives of the folder, newest first."""
    folder = Path(folder or current_app.config["BACKUP_DIR"])
    found = [p for p in folder.glob(PATTERN) if not p.name.endswith(".part")] if folder.is_dir() else []
    return sorted(found, key=lambda p: p.name, reverse=True)


def prune(keep: int, folder: Path | None = None) -> list[Path]:
    """Delete all but the newest `keep` archives; return the deleted ones."""
    old = backups(folder)[max(keep, 1) :]
    for path in old:
        path.unlink()
    return old


def age(path: Path) -> timedelta:
    """Return how long ago the archive was written."""
    return utcnow() - datetime.fromtimestamp(path.stat().st_mtime, UTC)


@job(queue="reports", timeout=3600)
def run_scheduled_backup() -> str:
    """Back up when the newest is older than BACKUP_INTERVAL_HOURS, then keep the newest BACKUP_KEEP."""
    config = current_app.config
    newest = backups()
    if newest and age(newest[0]) < timedelta(hours=config["BACKUP_INTERVAL_HOURS"]):
        return f"recent: {newest[0].name}"
    path = create_backup()
    prune(config["BACKUP_KEEP"])
    current_app.logger.info("backup written: %s", path)
    return str(path)

"""Free space where the app writes: the uploads and the backups (shown on the System page)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app

from crm.system.backup import backups

LOW_BYTES = 1024**3  # under 1 GiB free, or under 5 %, the page flags the disk
LOW_SHARE = 0.05


def existing(folder: Path) -> Path:
    """Return the folder, or its nearest parent that exists (a folder not created yet)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def usage(label_key: str, folder: str) -> dict[str, Any]:
    """Return the free and total bytes of the file system holding the folder."""
    total, _used, free = shutil.disk_usage(existing(Path(folder)))
    low = free < LOW_BYTES or free < total * LOW_SHARE
    return {
        "key": label_key,
        "path": folder,
        "free_gb": free / 1024**3,
        "total_gb": total / 1024**3,
        "low": low,
    }


def disks() -> list[dict[str, Any]]:
    """Return the space left for uploads and for backups."""
    config = current_app.config
    return [usage("uploads", config["UPLOAD_DIR"]), usage("backups", config["BACKUP_DIR"])]


def last_backup() -> datetime | None:
    """Return when the newest backup was written, if any."""
    found = backups()
    return datetime.fromtimestamp(found[0].stat().st_mtime, UTC) if found else None

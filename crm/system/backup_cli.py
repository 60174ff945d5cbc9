"""`flask crm backup`, `flask crm restore` and `flask crm backup-key`."""

from __future__ import annotations

from pathlib import Path

import click
from cryptography.fernet import Fernet

from crm.errors import UserError
from crm.system import backup, restore


@click.command("backup")
@click.option("--dir", "folder", type=click.Path(file_okay=False), help="Folder (default BACKUP_DIR).")
@click.option("--keep", type=int, default=None, help="Then delete all but the newest N archives.")
def backup_command(folder: str | None, keep: int | None) -> None:
    """Write a backup of the database and the uploads (encrypted when BACKUP_KEY is set)."""
    try:
        path = backup.create_backup(Path(folder) if folder else None)
    except UserError as exc:
        raise click.ClickException(exc.message) from exc
    if keep is not None:
        backup.prune(keep, path.parent)
    click.echo(str(path))


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
def restore_command(archive: str) -> None:
    """Restore a backup into this instance's empty database and empty upload folder."""
    try:
        manifest = restore.restore_backup(Path(archive))
    except UserError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"restored the backup of {manifest['created_at']} (schema {manifest['revision']})")


@click.command("backup-key")
def backup_key_command() -> None:
    """Print a new key for BACKUP_KEY (keep it apart from the backups: without it they cannot be read)."""
    click.echo(Fernet.generate_key().decode())


COMMANDS = (backup_command, restore_command, backup_key_command)

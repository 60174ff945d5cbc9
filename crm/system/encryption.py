"""Re-encrypt every secret kept in the database with the current key, and the commands around it."""

from __future__ import annotations

import click
from cryptography.fernet import Fernet
from sqlalchemy import select

from crm.crypto import reencrypt
from crm.extensions import db
from crm.models import Mailbox, PersonalToken, User, WebhookSubscription

# Every encrypted column: a new one must be listed here, or a key rotation would leave it unreadable.
ENCRYPTED_COLUMNS = (
    (Mailbox, "password_encrypted"),
    (PersonalToken, "token_encrypted"),
    (User, "totp_secret_encrypted"),
    (WebhookSubscription, "secret_encrypted"),
)


def rotate_column(model, column: str) -> int:
    """Re-encrypt one column's values with the current key; return how many changed."""
    attribute = getattr(model, column)
    rows = db.session.scalars(select(model).where(attribute.is_not(None)))
    count = 0
    for row in rows:
        setattr(row, column, reencrypt(getattr(row, column)))
        count += 1
    db.session.flush()
    return count


def rotate_all() -> dict[str, int]:
    """Re-encrypt every encrypted column; return the count per table and column."""
    return {
        f"{model.__tablename__}.{column}": rotate_column(model, column) for model, column in ENCRYPTED_COLUMNS
    }


@click.command("rotate-encryption-key")
def rotate_command() -> None:
    """Re-encrypt the stored secrets with ENCRYPTION_KEY (the old key given in ENCRYPTION_OLD_KEYS)."""
    try:
        counts = rotate_all()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(", ".join(f"{name}: {n}" for name, n in counts.items()))


@click.command("encryption-key")
def key_command() -> None:
    """Print a new key for ENCRYPTION_KEY (keep it out of the database's backups)."""
    click.echo(Fernet.generate_key().decode())


COMMANDS = (rotate_command, key_command)

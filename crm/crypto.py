"""Encrypt secrets kept in the database (Fernet, keys from the environment) and make personal tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app


def _derived_key() -> bytes:
    """Return the key derived from SECRET_KEY, used when no ENCRYPTION_KEY is configured."""
    # "mailbox:" keeps the values written before the key served more than the mailboxes readable.
    digest = hashlib.sha256(f"mailbox:{current_app.config['SECRET_KEY']}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def keys() -> list[bytes]:
    """Return the current key first, then the retired ones that may still decrypt old values."""
    config = current_app.config
    current = config.get("ENCRYPTION_KEY") or config.get("MAILBOX_KEY")
    old = [k.strip() for k in (config.get("ENCRYPTION_OLD_KEYS") or "").split(",") if k.strip()]
    keys = [current.encode() if isinstance(current, str) else current] if current else [_derived_key()]
    return keys + [k.encode() for k in old]


def init_app(app: Flask) -> None:
    """Refuse to start with a configured key that is not a Fernet key (better than failing at first use)."""
    with app.app_context():
        try:
            fernet()
        except ValueError as exc:
            raise RuntimeError("ENCRYPTION_KEY (and ENCRYPTION_OLD_KEYS) must be keys made by "
                               "`flask crm encryption-key`.") from exc


def fernet() -> MultiFernet:
    """Return the cipher: encrypts with the current key, decrypts with any configured key."""
    return MultiFernet([Fernet(key) for key in keys()])


def encrypt(plain: str) -> str:
    """Return the text encrypted (a Fernet token)."""
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """Return the text of a Fernet token; ValueError when the key changed or the token is damaged."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: ENCRYPTION_KEY changed or the value is damaged") from exc


def reencrypt(token: str) -> str:
    """Return the token encrypted again with the current key (key rotation)."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: none of the configured keys opens the value") from exc


def encrypted(column: str, doc: str) -> property:
    """Return a property that reads and writes the plain value of an encrypted column."""

    def get(self) -> str | None:
        stored = getattr(self, column)
        return decrypt(stored) if stored else None

    def put(self, value: str | None) -> None:
        setattr(self, column, encrypt(value) if value else None)

    return property(get, put, doc=doc)


def new_token(nbytes: int = 12) -> str:
    """Return a new random secret, lower-case letters and digits only (fits an e-mail local part)."""
    return base64.b32encode(secrets.token_bytes(nbytes)).decode().rstrip("=").lower()


def token_hash(token: str) -> str:
    """Return the lookup hash of a personal token."""
    return hashlib.sha256(token.strip().lower().encode()).hexdigest()

"""Encrypt mailbox passwords and personal tokens with Fernet, the key coming from the environment."""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def fernet() -> Fernet:
    """Return the cipher of MAILBOX_KEY (a Fernet key), or of a key derived from SECRET_KEY when unset."""
    key = current_app.config.get("MAILBOX_KEY")
    if not key:
        digest = hashlib.sha256(f"mailbox:{current_app.config['SECRET_KEY']}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt(plain: str) -> str:
    """Return the text encrypted (a Fernet token)."""
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """Return the text of a Fernet token; ValueError when the key changed or the token is damaged."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: MAILBOX_KEY changed or the value is damaged") from exc


def new_token(nbytes: int = 12) -> str:
    """Return a new random secret, lower-case letters and digits only (fits an e-mail local part)."""
    return base64.b32encode(secrets.token_bytes(nbytes)).decode().rstrip("=").lower()


def token_hash(token: str) -> str:
    """Return the lookup hash of a personal token."""
    return hashlib.sha256(token.strip().lower().encode()).hexdigest()

"""Personal access tokens: create (the secret is shown once), revoke, and authenticate a request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from crm.errors import UserError
from crm.extensions import db
from crm.models import ApiToken, User, utcnow
from crm.web import MAX_ID

PREFIX = "crm_"
LAST_USED_EVERY = timedelta(minutes=1)  # record the last use at most once a minute, not on every request


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest under which a secret is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def bearer_secret(header: str | None) -> str | None:
    """Return the token of an `Authorization: Bearer` header, else None."""
    scheme, _sep, value = (header or "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def tokens_of(user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first (revoked ones included, marked)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(query))


def create_token(user: User, name: str, days: int | None, read_only: bool) -> tuple[ApiToken, str]:
    """Create a token for the user and return it with its secret (never stored, shown once)."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise UserError(_("Give the token a name of at most 80 characters."), "token_name")
    secret = PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=days) if days else None
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:10],
        secret_sha256=digest(secret),
        read_only=read_only,
        expires_at=expires,
        created_at=utcnow(),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens; return it, or None if it is not theirs."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id <= MAX_ID else None
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token


def aware(moment: datetime | None) -> datetime | None:
    """Read a stored time as UTC (SQLite gives it back without its zone)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=utcnow().tzinfo)


def usable(token: ApiToken | None, now: datetime) -> bool:
    """Return whether the token may be used now: not revoked, not expired, its user active."""
    if token is None or token.revoked_at is not None or not token.user.active:
        return False
    expires = aware(token.expires_at)
    return expires is None or expires > now


def authenticate(secret: str | None) -> ApiToken | None:
    """Return the usable token with this secret (and note its use), else None."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalars(select(ApiToken).where(ApiToken.secret_sha256 == digest(secret))).first()
    now = utcnow()
    if not usable(token, now):
        return None
    last = aware(token.last_used_at)
    if last is None or now - last > LAST_USED_EVERY:
        token.last_used_at = now
    return token

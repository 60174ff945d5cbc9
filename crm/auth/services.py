"""Authentication and account services."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import User, utcnow


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, else None."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def safe_next(target: str | None) -> str | None:
    """Return target only if it is a local path (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


def update_preferences(user: User, name: str, locale: str) -> None:
    """Save the user's display name and language."""
    user.name = name.strip()
    user.locale = locale
    db.session.flush()


def change_password(user: User, current: str, new: str) -> bool:
    """Change the password if the current one is right; return success."""
    if not user.check_password(current):
        return False
    user.set_password(new)
    db.session.flush()
    return True

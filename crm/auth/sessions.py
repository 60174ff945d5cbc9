"""Signed-in sessions kept on the server, so that they can be listed and ended.

The cookie carries a random token (Flask-Login's user id, see User.get_id); the database keeps its hash with
the browser, address and times. A session is over when it is ended (sign-out, by its user, a new password, a
deactivation, a second factor reset) or has been idle or alive longer than the configured lifetimes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request
from sqlalchemy import select, update

from crm.extensions import db
from crm.models import User, UserSession, utcnow
from crm.permissions import MAX_ID, can

TOUCH_SECONDS = 60  # last_seen_at is written at most this often, not on every request


def token_hash(token: str) -> str:
    """Return the stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, second_factor: bool) -> UserSession:
    """Record a new session for the user and give the user its token (for Flask-Login's cookie)."""
    token = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, token_hash=token_hash(token), second_factor=second_factor)
    if has_request_context():
        row.user_agent = (request.user_agent.string or "")[:255] or None
        row.ip = request.remote_addr
    db.session.add(row)
    db.session.flush()
    user.session_token = token
    return row


def lifetimes() -> tuple[timedelta, timedelta]:
    """Return the idle and absolute lifetimes of a session."""
    config = current_app.config
    return timedelta(minutes=config["SESSION_IDLE_MINUTES"]), timedelta(
        hours=config["SESSION_ABSOLUTE_HOURS"]
    )


def expired(row: UserSession, now: datetime) -> bool:
    """Return whether the session has been idle or alive too long."""
    idle, absolute = lifetimes()
    return now - aware(row.last_seen_at) > idle or now - aware(row.created_at) > absolute


def aware(moment: datetime) -> datetime:
    """Return the time with its UTC zone (SQLite gives it back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def acceptable(row: UserSession, user: User, now: datetime) -> bool:
    """Return whether the session may still act for its user."""
    if row.ended_at is not None or not user.active or expired(row, now):
        return False
    return row.second_factor or not can(user, "auth.require_2fa")


def load(token: str) -> User | None:
    """Return the user of a live session token, else None (Flask-Login's user loader)."""
    found = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if not acceptable(row, user, now):
        return None
    if (now - aware(row.last_seen_at)).total_seconds() > TOUCH_SECONDS:
        row.last_seen_at = now
    user.session_token = token
    g.session_row_id = row.id
    return user


def current_id() -> int | None:
    """Return the id of the request's session record, if signed in."""
    return g.get("session_row_id")


def mark_second_factor(session_id: int | None) -> None:
    """Record that the session's user has now proved a second factor (they just enrolled one)."""
    if session_id is not None:
        db.session.execute(update(UserSession).where(UserSession.id == session_id).values(second_factor=True))


def end(user_id: int, session_id: int | None) -> bool:
    """End one of the user's sessions; return whether it was live."""
    if session_id is None or not 0 < session_id <= MAX_ID:  # beyond a 32-bit id: none such (PostgreSQL errs)
        return False
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount == 1


def end_all(user_id: int, keep: int | None = None) -> int:
    """End every session of the user but `keep`; return how many ended."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return db.session.execute(query.values(ended_at=utcnow())).rowcount


def active(user: User) -> list[UserSession]:
    """Return the user's live sessions, most recently used first."""
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        .limit(50)
    )
    now = utcnow()
    return [row for row in rows if not expired(row, now)]


BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"))
SYSTEMS += (("Mac OS", "macOS"), ("Linux", "Linux"))


def device(user_agent: str | None) -> str:
    """Name the browser and system of a User-Agent header ("Chrome · Windows"), or show it shortened."""
    text = user_agent or ""
    browser = next((name for key, name in BROWSERS if key in text), None)
    system = next((name for key, name in SYSTEMS if key in text), None)
    if browser or system:
        return " · ".join(part for part in (browser, system) if part)
    return text[:60] or "—"

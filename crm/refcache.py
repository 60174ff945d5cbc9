"""Keep the reference lists every page shows (sectors, districts, filter options) in each process.

A list is built once per process and kept until any process commits a change to the rows it comes from:
the committing process replaces a token in Redis, and every process compares its token with Redis's
once per request. Without Redis nothing is kept (each request builds its lists, as before). A change
written with a bulk statement (no ORM flush) is seen within MAX_AGE_SECONDS, or at once after
invalidate().
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context
from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from crm.redis_conn import get_redis

log = logging.getLogger(__name__)
VERSION_KEY = "crm:refcache:version"
MAX_AGE_SECONDS = 300
T = TypeVar("T")
# (key) -> (token, built at, value); per process.
KEPT: dict[Any, tuple[str, float, Any]] = {}


def changed(state: Any, *names: str) -> bool:
    """Return whether any of the attributes changed in this flush."""
    return any(state.attrs[name].history.has_changes() for name in names)


def user_touches(user: Any, state: Any, whole: bool) -> bool:
    """A user appears in the owner lists by name, role and whether active."""
    return whole or changed(state, "name", "role", "active")


def organisation_touches(org: Any, state: Any, whole: bool) -> bool:
    """Only associations appear in the lists (by name); a change of kind moves one in or out."""
    if whole:
        return org.kind == "association"
    return changed(state, "kind") or (org.kind == "association" and changed(state, "legal_name"))


# Model name -> whether writing the row (whole: inserted or deleted) may change a kept list.
WATCHED: dict[str, Callable[[Any, Any, bool], bool]] = {
    "Sector": lambda *_: True,
    "District": lambda *_: True,
    "Programme": lambda *_: True,
    "User": user_touches,
    "Organisation": organisation_touches,
}


def current_token() -> str | None:
    """Return the shared token (made when missing), once per request; None when Redis does not answer."""
    if has_request_context() and "refcache_token" in g:
        return g.refcache_token
    try:
        token = read_token()
    except RedisError:
        log.warning("reference cache off: Redis did not answer")
        token = None
    if has_request_context():
        g.refcache_token = token
    return token


def read_token() -> str:
    """Return Redis's token, making one when there is none yet (first start, Redis emptied)."""
    redis = get_redis()
    token = redis.get(VERSION_KEY)
    if token is None:
        redis.set(VERSION_KEY, uuid.uuid4().hex, nx=True)
        token = redis.get(VERSION_KEY)
    return token.decode() if isinstance(token, bytes) else token


def cached(key: Any, build: Callable[[], T]) -> T:
    """Return the kept value of key, building it when missing, stale or unknown to other processes."""
    token = current_token() if current_app.config["REFERENCE_CACHE"] else None
    kept = KEPT.get(key)
    if token is not None and kept and kept[0] == token and time.monotonic() - kept[1] < MAX_AGE_SECONDS:
        return kept[2]
    value = build()
    if token is not None:
        KEPT[key] = (token, time.monotonic(), value)
    return value


def invalidate() -> None:
    """Drop every kept list, here and (through the token) in every other process."""
    KEPT.clear()
    if has_request_context():
        g.pop("refcache_token", None)
    try:
        get_redis().set(VERSION_KEY, uuid.uuid4().hex)
    except RedisError:
        log.warning("reference cache: Redis did not answer; other processes see the change within %ss",
                    MAX_AGE_SECONDS)


def touches_lists(obj: Any, deleted: bool = False) -> bool:
    """Return whether writing this object may change a kept list."""
    rule = WATCHED.get(type(obj).__name__)
    if rule is None:
        return False
    state = inspect(obj)
    return rule(obj, state, deleted or state.pending)


def note_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Mark the transaction when it writes a row a kept list comes from."""
    changed = any(touches_lists(o) for o in (*session.new, *session.dirty))
    if changed or any(touches_lists(o, deleted=True) for o in session.deleted):
        session.info["refcache_changed"] = True


def after_commit(session: Session) -> None:
    """Invalidate the lists once a transaction that changed their rows has committed."""
    # A transaction rolled back keeps its mark until the next commit: one spare invalidation, harmless.
    if session.info.pop("refcache_changed", False):
        invalidate()


def init_app(app: Flask) -> None:
    """Watch every session's flushes and commits."""
    if not event.contains(Session, "before_flush", note_flush):
        event.listen(Session, "before_flush", note_flush)
        event.listen(Session, "after_commit", after_commit)

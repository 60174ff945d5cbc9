"""Health of the moving parts: database revision, Redis, RQ queues, workers and scheduler."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alembic.script import ScriptDirectory
from flask import current_app
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Worker
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from crm.clock import now
from crm.extensions import db
from crm.jobs import QUEUES, queue
from crm.models import Contact, Organisation, User
from crm.redis_conn import get_redis
from crm.system.jobs import HEARTBEAT_KEY

# The scheduler beats every minute; a few missed beats mean it is down.
HEARTBEAT_STALE_AFTER = timedelta(minutes=5)


@dataclass
class RedisStatus:
    """What Redis and RQ report; reachable=False when Redis did not answer."""

    reachable: bool
    error: str | None = None
    hung: bool = False  # accepts connections but does not answer (timed out, or skipped by the breaker)
    queues: dict[str, int] = field(default_factory=dict)
    workers: list[dict[str, Any]] = field(default_factory=list)
    heartbeat: datetime | None = None
    heartbeat_stale: bool = True


def worker_row(worker: Worker) -> dict[str, Any]:
    """Describe one RQ worker for the page."""
    return {
        "name": worker.name,
        "state": str(worker.get_state()),
        "queues": ", ".join(worker.queue_names()),
        "last_heartbeat": worker.last_heartbeat,
    }


def read_heartbeat(conn: Redis) -> datetime | None:
    """Return the scheduler's last heartbeat, or None if absent or unreadable."""
    raw = conn.get(HEARTBEAT_KEY)
    if not raw:
        return None
    try:
        stamp = datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else raw)
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None  # record_heartbeat writes aware times


def probe(conn: Redis) -> RedisStatus:
    """Ask Redis for queue lengths, workers and the heartbeat (raises if unreachable)."""
    conn.ping()
    beat = read_heartbeat(conn)
    return RedisStatus(
        reachable=True,
        queues={name: queue(conn, name).count for name in QUEUES},
        workers=[worker_row(w) for w in Worker.all(connection=conn)],
        heartbeat=beat,
        heartbeat_stale=beat is None or now() - beat > HEARTBEAT_STALE_AFTER,
    )


def redis_status() -> RedisStatus:
    """Return Redis's status; an unreachable server is reported, never raised."""
    try:
        return probe(get_redis())
    except (RedisConnectionError, RedisTimeoutError, RedisError, OSError) as exc:
        current_app.logger.warning("system page: Redis unreachable: %s", exc)
        return RedisStatus(reachable=False, error=type(exc).__name__, hung=isinstance(exc, RedisTimeoutError))


def alembic_revisions() -> dict[str, Any]:
    """Return the database's Alembic revision and the code's head revision."""
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = list(ScriptDirectory.from_config(config).get_heads())
    try:
        with db.engine.connect() as connection:  # its own connection: a missing table spoils no transaction
            current = connection.scalars(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        current = []
    return {
        "current": ", ".join(current) or None,
        "head": ", ".join(heads),
        "up_to_date": sorted(current) == sorted(heads),
    }


def record_counts() -> dict[str, int]:
    """Count users, organisations and contacts in one SQL statement."""
    counts = select(
        select(func.count()).select_from(User).scalar_subquery().label("users"),
        select(func.count())
        .select_from(User)
        .where(User.active.is_(True))
        .scalar_subquery()
        .label("active_users"),
        select(func.count()).select_from(Organisation).scalar_subquery().label("organisations"),
        select(func.count()).select_from(Contact).scalar_subquery().label("contacts"),
    )
    return dict(db.session.execute(counts).one()._mapping)

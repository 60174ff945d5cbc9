"""The calendars blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("calendars", __name__, url_prefix="/calendar")


def register(app: Flask) -> None:
    """Attach the calendar views to the blueprint and register it on the app."""
    from crm.calendars import views  # noqa: F401  (importing the module adds its routes)

    app.register_blueprint(bp)

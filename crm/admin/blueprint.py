"""The admin blueprint: its URL prefix, and the views module that attaches its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")


def register(app: Flask) -> None:
    """Attach the admin views to the blueprint and register it on the app."""
    from crm.admin import views  # noqa: F401  (importing the module adds its routes)

    app.register_blueprint(bp)

"""The consultants blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("consultants", __name__, url_prefix="/consultants")


def register(app: Flask) -> None:
    """Attach the consultants views to the blueprint and register it on the app."""
    from crm.consultants import assignment_views, export_views, views  # noqa: F401  (importing the modules adds routes)

    app.register_blueprint(bp)

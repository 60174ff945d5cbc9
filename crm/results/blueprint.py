"""The results blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("results", __name__, url_prefix="/results")


def register(app: Flask) -> None:
    """Attach the results views to the blueprint and register it on the app."""
    from crm.results import admin_views, export_views, gap_views, views  # noqa: F401  (importing the modules adds routes)

    app.register_blueprint(bp)

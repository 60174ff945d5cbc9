"""The organisations blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def register(app: Flask) -> None:
    """Attach the organisations views to the blueprint and register it on the app."""
    from crm.organisations import bulk_views, membership_views, view_views, views  # noqa: F401  (adds the routes)

    app.register_blueprint(bp)

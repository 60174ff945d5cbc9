"""The interactions blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("interactions", __name__, url_prefix="/interactions")


def register(app: Flask) -> None:
    """Attach the interactions views to the blueprint and register it on the app."""
    from crm.interactions import view_views, views  # noqa: F401  (importing the modules adds their routes)

    app.register_blueprint(bp)

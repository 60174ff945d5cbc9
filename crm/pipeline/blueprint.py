"""The pipeline blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")


def register(app: Flask) -> None:
    """Attach the pipeline views to the blueprint and register it on the app."""
    from crm.pipeline import admin_views, views  # noqa: F401  (importing the modules adds their routes)

    app.register_blueprint(bp)

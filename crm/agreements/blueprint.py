"""The agreements blueprint: its URL prefix, and the views module that attaches its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


def register(app: Flask) -> None:
    """Attach the agreements views to the blueprint and register it on the app."""
    from crm.agreements import views  # noqa: F401  (importing the module adds routes)

    app.register_blueprint(bp)

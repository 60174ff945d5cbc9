"""The parks blueprint: its URL prefix, and the views module that attaches its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("parks", __name__, url_prefix="/parks")


def register(app: Flask) -> None:
    """Attach the parks views to the blueprint and register it on the app."""
    from crm.parks import views  # noqa: F401  (importing the module adds routes)

    app.register_blueprint(bp)

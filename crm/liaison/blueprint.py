"""The liaison blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("liaison", __name__, url_prefix="/portal")


def register(app: Flask) -> None:
    """Attach the liaison views to the blueprint and register it on the app."""
    from crm.liaison import add_views, confirm_views, views  # noqa: F401  (importing the modules adds their routes)

    app.register_blueprint(bp)

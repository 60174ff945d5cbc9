"""The contacts blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("contacts", __name__, url_prefix="/contacts")


def register(app: Flask) -> None:
    """Attach the contacts views to the blueprint and register it on the app."""
    from crm.contacts import view_views, views  # noqa: F401  (importing the modules adds their routes)

    app.register_blueprint(bp)

"""The mail-capture blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("mailcapture", __name__, url_prefix="/mail-capture")


def register(app: Flask) -> None:
    """Attach the mail-capture views to the blueprint and register it on the app."""
    from crm.mailcapture import admin_views, views  # noqa: F401  (importing the modules adds their routes)

    app.register_blueprint(bp)

"""The system blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("system", __name__, url_prefix="/system")


def register(app: Flask) -> None:
    """Attach the system views to the blueprint and register it on the app."""
    from crm.system import mail_views, views  # noqa: F401  (importing the modules adds their routes)

    app.register_blueprint(bp)

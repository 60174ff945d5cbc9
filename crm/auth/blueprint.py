"""The auth blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__, url_prefix="/auth")


def register(app: Flask) -> None:
    """Attach the auth views to the blueprint and register it on the app."""
    from crm.auth import token_views, views  # noqa: F401  (importing the modules adds their routes)

    app.register_blueprint(bp)

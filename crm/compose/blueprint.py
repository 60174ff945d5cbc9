"""The compose blueprint: writing to an organisation's contacts, and the public withdrawal page."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("compose", __name__)


def register(app: Flask) -> None:
    """Attach the compose views to the blueprint and register it on the app."""
    from crm.compose import views  # noqa: F401  (importing the module adds its routes)

    app.register_blueprint(bp)

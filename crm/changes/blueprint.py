"""The changes blueprint: restoring recorded changes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("changes", __name__, url_prefix="/changes")


def register(app: Flask) -> None:
    """Attach the changes views to the blueprint and register it on the app."""
    from crm.changes import views  # noqa: F401  (importing the module adds its routes)

    app.register_blueprint(bp)

"""The imports blueprint: upload, mapping, preview, commit and undo of spreadsheet imports."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("imports", __name__, url_prefix="/imports")


def register(app: Flask) -> None:
    """Attach the import views to the blueprint and register it on the app."""
    from crm.imports import views  # noqa: F401  (importing the module adds its routes)

    app.register_blueprint(bp)

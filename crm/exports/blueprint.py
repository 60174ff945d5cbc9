"""The exports blueprint: the organisation and contact lists as CSV or XLSX (under /imports, as always)."""

from __future__ import annotations

from flask import Blueprint, Flask

# The URLs predate the package: they stay under /imports so that bookmarks keep working.
bp = Blueprint("exports", __name__, url_prefix="/imports")


def register(app: Flask) -> None:
    """Attach the export views to the blueprint and register it on the app."""
    from crm.exports import views  # noqa: F401  (importing the module adds its routes)

    app.register_blueprint(bp)

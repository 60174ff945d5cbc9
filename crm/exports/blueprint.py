"""The exports blueprint: the organisation, contact and letter lists as CSV or XLSX (under /imports)."""

from __future__ import annotations

from flask import Blueprint, Flask

# The URLs predate the package: they stay under /imports so that bookmarks keep working.
bp = Blueprint("exports", __name__, url_prefix="/imports")


def register(app: Flask) -> None:
    """Attach the export views to the blueprint and register it on the app."""
    from crm.exports import letters, views  # noqa: F401  (importing the modules adds their routes)

    app.register_blueprint(bp)

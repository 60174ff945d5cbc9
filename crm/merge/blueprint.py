"""The merge blueprint: duplicate lists and merging two records (under /imports, as always)."""

from __future__ import annotations

from flask import Blueprint, Flask

# The URLs predate the package: they stay under /imports so that bookmarks keep working.
bp = Blueprint("merge", __name__, url_prefix="/imports")


def register(app: Flask) -> None:
    """Attach the duplicate and merge views to the blueprint and register it on the app."""
    from crm.merge import views  # noqa: F401  (importing the module adds its routes)

    app.register_blueprint(bp)

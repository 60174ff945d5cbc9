"""The search blueprint: the results page and its JSON variant for a typeahead."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("search", __name__, url_prefix="/search")


def register(app: Flask) -> None:
    """Attach the search views to the blueprint and register it on the app."""
    from crm.search import views  # noqa: F401  (importing the module adds its routes)

    app.register_blueprint(bp)

"""The reports blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("reports", __name__, url_prefix="/reports")


def register(app: Flask) -> None:
    """Attach the reports views to the blueprint and register it on the app."""
    from crm.reports import (  # noqa: F401  (importing the modules adds their routes and globals)
        html,
        indicator_admin_views,
        indicator_entry_views,
        views,
    )

    app.register_blueprint(bp)

"""The events blueprint: its URL prefix, and the views modules that attach its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("events", __name__, url_prefix="/events")
# The registration pages people outside the team open from an invitation or a poster: no sign-in.
public_bp = Blueprint("events_public", __name__, url_prefix="/inscripcion")


def register(app: Flask) -> None:
    """Attach the events views to the blueprint and register it on the app."""
    from crm.events import checkin_views, invite_views, public_views, views  # noqa: F401  (adds the routes)

    app.register_blueprint(bp)
    app.register_blueprint(public_bp)

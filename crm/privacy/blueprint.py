"""The privacy blueprint: the read trail, data-subject requests, consent withdrawal; installs the trail."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


def register(app: Flask) -> None:
    """Install the read trail, attach the privacy views and register the blueprint."""
    from crm.privacy import subject_views, trail, views  # noqa: F401  (importing views modules adds routes)

    trail.install()
    app.register_blueprint(bp)

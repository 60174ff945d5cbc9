"""The webhooks blueprint: its URL prefix, the views module that attaches its routes, the event hooks."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


def register(app: Flask) -> None:
    """Attach the webhook views, install the flush hooks that write deliveries, register the blueprint."""
    from crm.webhooks import events, views  # noqa: F401  (importing the views module adds its routes)

    events.install()
    app.register_blueprint(bp)

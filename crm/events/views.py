"""Views of the events feature."""

from __future__ import annotations

from crm.events import bp
from crm.permissions import require


@bp.get("/")
@require("event.view")
def index():
    """Placeholder until the feature's list page lands."""
    return ""

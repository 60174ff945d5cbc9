"""Views of the letters feature."""

from __future__ import annotations

from crm.letters import bp
from crm.permissions import require


@bp.get("/")
@require("letter.view")
def index():
    """Placeholder until the feature's list page lands."""
    return ""

"""Views of the pipeline feature."""

from __future__ import annotations

from crm.pipeline import bp
from crm.permissions import require


@bp.get("/")
@require("pipeline.view")
def board():
    """Placeholder until the feature's list page lands."""
    return ""

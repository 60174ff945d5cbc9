"""Views of the pipeline feature."""

from __future__ import annotations

from crm.permissions import require
from crm.pipeline import bp


@bp.get("/")
@require("pipeline.view")
def board():
    """Placeholder until the feature's list page lands."""
    return ""

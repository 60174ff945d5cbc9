"""The letters section of the organisation page."""

from __future__ import annotations

from typing import Any

from crm.models import Organisation, User


def org_panel(user: User, org: Organisation) -> dict[str, Any] | None:
    """Return what the section shows, or None when the user may not see it."""
    return None

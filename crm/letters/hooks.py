"""What the letters feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from crm.letters import panels
from crm.models import Letter
from crm.registry import move_rows, on_merge, org_section

org_section("letters/_org_letters.html", 30)(panels.org_panel)


@on_merge(30)
def move_letters(keep_id: int, drop_id: int) -> None:
    """The merged-away organisation's letters belong to the survivor."""
    move_rows(Letter, "organisation_id", keep_id, drop_id)

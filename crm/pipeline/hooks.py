"""What the pipeline feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from crm.models import Engagement
from crm.pipeline import company_reach, panels, reach, stage_rank
from crm.registry import move_rows, on_merge, org_section

org_section("pipeline/_org_engagements.html", 20)(panels.org_panel)
reach.install()  # stage_reach follows every flush that touches the stage history
company_reach.install()  # deleted organisations leave the report tables before PostgreSQL cascades
stage_rank.install()  # organisations.stage_rank follows every flush that adds, moves or removes engagements


@on_merge(40)
def move_engagements(keep_id: int, drop_id: int) -> None:
    """Move the engagements left after combining, and the referrals the merged-away association made."""
    move_rows(Engagement, "organisation_id", keep_id, drop_id)
    move_rows(Engagement, "source_association_id", keep_id, drop_id)

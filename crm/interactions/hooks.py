"""What the interactions feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.interactions import follow_ups, last_seen
from crm.models import FollowUp, Interaction
from crm.privacy.erasure import Traces, scrub_rows
from crm.registry import move_rows, on_delete, on_erase, on_merge, org_section

org_section("interactions/follow_up_panel.html", 10)(follow_ups.org_panel)
last_seen.install()  # organisations.last_interaction_on follows every flush that touches interactions


@on_merge(20)
def move_interactions(keep_id: int, drop_id: int) -> None:
    """The merged-away organisation's interactions and follow-ups belong to the survivor."""
    move_rows(Interaction, "organisation_id", keep_id, drop_id)
    move_rows(FollowUp, "organisation_id", keep_id, drop_id)


@on_delete(20)
def delete_interactions(org_id: int) -> None:
    """Delete the organisation's follow-ups, then its interactions."""
    for model in (FollowUp, Interaction):
        for row in db.session.scalars(select(model).where(model.organisation_id == org_id)):
            db.session.delete(row)


@on_erase(20)
def erase_from_interactions(traces: Traces) -> dict[str, int]:
    """Replace the erased person's name, e-mail and phone in interaction texts (they stay as participants)."""
    return {"interactions": scrub_rows(Interaction, ["summary", "outcome", "next_step"], traces)}

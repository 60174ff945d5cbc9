"""organisations.last_interaction_on, kept equal to the date of the organisation's latest interaction.

My work's quiet companies and the daily digest read it instead of aggregating every interaction per
request. Kept by crm.organisations.kept: a flush hook recomputes the date of the organisations whose
interactions were added, moved (merge), re-dated or deleted, in the flush's own transaction.
"""

from __future__ import annotations

from sqlalchemy import func

from crm.models import Interaction
from crm.organisations.kept import KeptColumn

LAST_INTERACTION = KeptColumn(
    "last_interaction_on", Interaction, func.max(Interaction.occurred_on), ("organisation_id", "occurred_on")
)
refresh, rebuild, install = LAST_INTERACTION.refresh, LAST_INTERACTION.rebuild, LAST_INTERACTION.install

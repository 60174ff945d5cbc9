"""organisations.stage_rank: each company's furthest current stage on the forward path (its place in STAGES).

The organisation list sorts by it: grouping every engagement per request took 0.6-0.8 s at 100,000
companies. Side exits (declined, on hold, withdrawn) and companies without an engagement have none (NULL,
listed last either way). Kept by crm.organisations.kept: a flush hook recomputes the rank of the
organisations whose engagements were added, deleted, moved or changed stage; the import undo's Core
delete calls refresh(); `flask crm rebuild-aggregates` calls rebuild().
"""

from __future__ import annotations

from sqlalchemy import case, func

from crm.models import STAGES, Engagement
from crm.organisations.kept import KeptColumn

RANK = case({stage: rank for rank, stage in enumerate(STAGES)}, value=Engagement.stage)  # NULL for exits
STAGE_RANK = KeptColumn("stage_rank", Engagement, func.max(RANK), ("organisation_id", "stage"))
refresh, rebuild, install = STAGE_RANK.refresh, STAGE_RANK.rebuild, STAGE_RANK.install

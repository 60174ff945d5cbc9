"""The retention job: every hour, anonymise interactions and captured e-mails past the retention period."""

from __future__ import annotations

from flask import current_app

from crm.clock import now, today
from crm.jobs import job
from crm.privacy.retention import anonymise_older_than, cutoff_date


@job(queue="periodic", timeout=1800)
def apply_retention() -> dict[str, int]:
    """Anonymise what is older than INTERACTION_RETENTION_YEARS (0 = keep everything); safe to run twice."""
    years = int(current_app.config.get("INTERACTION_RETENTION_YEARS", 0) or 0)
    if years <= 0:
        return {"interactions": 0, "emails": 0}
    result = anonymise_older_than(cutoff_date(today(), years), now())
    return {"interactions": result.interactions, "emails": result.emails}

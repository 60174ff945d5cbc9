"""The pipeline's periodic job: folding the tallies' ledgers (reach and stays)."""

from __future__ import annotations

from crm.extensions import db
from crm.jobs import job
from crm.pipeline.tallies import compact


@job(queue="periodic", timeout=600)
def compact_reach_tallies() -> None:
    """Fold the tallies' ledgers, so the reports add up a few rows (safe to run twice or at once)."""
    compact(db.session.connection())

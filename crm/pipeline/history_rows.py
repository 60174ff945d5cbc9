"""Rows derived from each company's stage history for the reports: its exits and its finished stays.

Both are kept per organisation by crm.pipeline.company_reach (refresh, rebuild) beside the company's
filter columns, so the funnel's exits and the time-in-stage report group narrow rows without joining
every transition to its engagement and company.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crm.models import EXITS, Engagement, Organisation, StageTransition
from crm.sql import days_between

COPIED = ("kind", "sector_id", "district_id", "owner_id")
EXIT_COLUMNS = ("transition_id", "organisation_id", "programme_id", "occurred_on", "from_stage", "to_stage")
EXIT_COLUMNS += ("barrier_id", *COPIED)
STAY_COLUMNS = ("transition_id", "organisation_id", "programme_id", "stage", "began", "days", *COPIED)


def of_companies(query: Any, organisation_ids: list[int] | None) -> Any:
    """Join the transitions' engagements and companies (the copies come from there), for some or all."""
    query = query.join(Engagement, Engagement.id == StageTransition.engagement_id)
    query = query.join(Organisation, Organisation.id == Engagement.organisation_id)
    if organisation_ids is not None:
        query = query.where(Engagement.organisation_id.in_(organisation_ids))
    return query


def copies() -> list[Any]:
    """Return the company's columns copied into each row."""
    return [getattr(Organisation, name) for name in COPIED]


def exit_rows(organisation_ids: list[int] | None = None) -> Any:
    """Select the stage_exits rows the history implies: every transition to an exit."""
    t = StageTransition
    query = select(t.id, Engagement.organisation_id, Engagement.programme_id, t.occurred_on, t.from_stage)
    query = query.add_columns(t.to_stage, t.barrier_id, *copies()).where(t.to_stage.in_(EXITS))
    return of_companies(query, organisation_ids)


def stay_rows(organisation_ids: list[int] | None = None) -> Any:
    """Select the stage_stays rows the history implies: each transition's stay, when a next one ends it.

    A stay runs from a transition to the engagement's next one (ordered by date, then id) and belongs to
    the stage the first one moved to; the last transition's stay is not finished and is left out.
    """
    t = StageTransition
    following = func.lead(t.occurred_on).over(partition_by=t.engagement_id, order_by=(t.occurred_on, t.id))
    query = select(t.id.label("id"), Engagement.organisation_id, Engagement.programme_id, t.to_stage)
    query = query.add_columns(t.occurred_on, days_between(following, t.occurred_on).label("days"), *copies())
    every = of_companies(query, organisation_ids).subquery("stays")
    return select(*every.c).where(every.c.days.is_not(None))

"""The stage_reach aggregate (crm.models.pipeline.StageReach), kept equal to the stage history.

One mechanism for every writer: a flush hook notes the engagements whose transitions were added,
changed or deleted, or that changed company or programme or went away, and recomputes their rows
from stage_transitions on the flush's own connection, so the aggregate commits or rolls back with
the change itself (moves, back-dated moves, merges, imports, undo, the demo seed). Writers that go
around the ORM (bulk deletes of engagements, the bench generator's COPY) delete or rebuild
explicitly: `refresh(ids)` for some engagements, `rebuild()` for all of them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import bindparam, case, delete, event, func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crm.models import STAGES, Engagement, StageTransition
from crm.models.pipeline import StageReach
from crm.pipeline import company_reach

RANKS = {stage: index for index, stage in enumerate(STAGES)}
CHUNK = 500  # engagement ids per statement (SQLite's bound-parameter limit)
COLUMNS = ("engagement_id", "reached_on", "stage_rank", "organisation_id", "programme_id", "furthest")


def reach_rows(engagement_ids: Any = None) -> Any:
    """Select the stage_reach rows the history implies (for some engagements, or all)."""
    t = StageTransition
    daily = select(t.engagement_id, t.occurred_on.label("reached_on"))
    daily = daily.add_columns(func.max(case(RANKS, value=t.to_stage)).label("stage_rank"))
    daily = daily.where(t.to_stage.in_(STAGES)).group_by(t.engagement_id, t.occurred_on)
    if engagement_ids is not None:
        daily = daily.where(t.engagement_id.in_(engagement_ids))
    day = daily.subquery("daily")
    first_at_top = func.row_number().over(
        partition_by=day.c.engagement_id, order_by=(day.c.stage_rank.desc(), day.c.reached_on)
    )
    return select(
        day.c.engagement_id, day.c.reached_on, day.c.stage_rank, Engagement.organisation_id,
        Engagement.programme_id, case((first_at_top == 1, True), else_=False).label("furthest"),
    ).join(Engagement, Engagement.id == day.c.engagement_id)  # fmt: skip


# The engagements a refresh is for: one expanding IN list, bound at execution.
IDS = bindparam("engagement_ids", expanding=True)


@functools.cache
def refresh_statements() -> tuple[Any, Any]:
    """Return the DELETE and INSERT of a refresh, built once per process (not on every flush)."""
    drop = delete(StageReach).where(StageReach.engagement_id.in_(IDS))
    return drop, StageReach.__table__.insert().from_select(COLUMNS, reach_rows(IDS))


def refresh(connection: Connection, engagement_ids: Iterable[int]) -> None:
    """Recompute the rows of these engagements from their transitions (idempotent)."""
    ids = sorted({i for i in engagement_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        for statement in refresh_statements():
            connection.execute(statement, {"engagement_ids": ids[start : start + CHUNK]})


def rebuild(connection: Connection) -> int:
    """Recompute every row from the whole history; return how many rows there are now."""
    connection.execute(delete(StageReach))
    connection.execute(StageReach.__table__.insert().from_select(COLUMNS, reach_rows()))
    return connection.scalar(select(func.count()).select_from(StageReach)) or 0


def changed_engagements(session: Session) -> set[int]:
    """Return the engagements whose reach this flush may have changed."""
    found: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, StageTransition):
            found.add(obj.engagement_id)
            found.update(previous_ids(obj, "engagement_id"))
            found.update(o.id for o in inspect(obj).attrs.engagement.history.deleted or () if o is not None)
        elif isinstance(obj, Engagement) and moved(session, obj):
            found.add(obj.id)
    return found


def previous_ids(obj: Any, key: str) -> list[int]:
    """Return the values an attribute had before this flush."""
    return [v for v in inspect(obj).attrs[key].history.deleted or () if v is not None]


def moved(session: Session, engagement: Engagement) -> bool:
    """Return whether an engagement is new, deleted, or changed company or programme."""
    if engagement in session.deleted or engagement in session.new:
        return True
    state = inspect(engagement).attrs
    return state.organisation_id.history.has_changes() or state.programme_id.history.has_changes()


def keep_reach_current(session: Session, _context: Any) -> None:
    """Recompute the reach of the engagements this flush touched, then their companies' (same transaction)."""
    ids = changed_engagements(session)
    if ids:
        refresh(session.connection(), ids)
    company_reach.keep_current(session, ids)


def install() -> None:
    """Register the flush hook once per process."""
    if not event.contains(Session, "after_flush", keep_reach_current):
        event.listen(Session, "after_flush", keep_reach_current)

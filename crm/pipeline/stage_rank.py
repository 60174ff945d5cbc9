"""organisations.stage_rank: each company's furthest current stage on the forward path (its place in STAGES).

The organisation list sorts by it: grouping every engagement per request took 0.6-0.8 s at 100,000
companies. Side exits (declined, on hold, withdrawn) and companies without an engagement have none (NULL,
listed last either way). A flush hook notes the organisations whose engagements were added, deleted,
moved or changed stage and recomputes their rank on the flush's own connection, so it commits with the
change; writers that go around the ORM call refresh(); `flask crm rebuild-aggregates` calls rebuild().
The update leaves updated_at and version_id alone: a stage move is not an edit of the company.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import case, event, func, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crm.models import STAGES, Engagement, Organisation

CHUNK = 500  # organisation ids per statement (SQLite's bound-parameter limit)
RANK = case({stage: rank for rank, stage in enumerate(STAGES)}, value=Engagement.stage)  # NULL for exits


def recompute() -> Any:
    """Return an UPDATE of organisations setting their rank from their engagements (add a WHERE)."""
    orgs = Organisation.__table__
    furthest = select(func.max(RANK)).where(Engagement.organisation_id == orgs.c.id).scalar_subquery()
    return update(orgs).values(stage_rank=furthest, updated_at=orgs.c.updated_at)


def refresh(connection: Connection, organisation_ids: Iterable[int]) -> None:
    """Recompute the stage rank of these organisations (idempotent)."""
    ids = sorted({i for i in organisation_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        connection.execute(recompute().where(Organisation.__table__.c.id.in_(ids[start : start + CHUNK])))


def rebuild(connection: Connection) -> None:
    """Recompute every organisation's rank from the engagements (one grouped pass, not one per row)."""
    orgs = Organisation.__table__
    furthest = (
        select(Engagement.organisation_id.label("org_id"), func.max(RANK).label("top"))
        .group_by(Engagement.organisation_id)
        .subquery()
    )
    keep = {"updated_at": orgs.c.updated_at}
    connection.execute(update(orgs).values(stage_rank=None, **keep))
    connection.execute(
        update(orgs).where(orgs.c.id == furthest.c.org_id).values(stage_rank=furthest.c.top, **keep)
    )


def changed_organisations(session: Session) -> set[int]:
    """Return the organisations whose furthest stage this flush may have changed."""
    found: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if not isinstance(obj, Engagement):
            continue
        state = inspect(obj).attrs
        if obj in session.dirty and not (
            state.organisation_id.history.has_changes() or state.stage.history.has_changes()
        ):
            continue
        found.add(obj.organisation_id)
        found.update(v for v in state.organisation_id.history.deleted or () if v is not None)
    return found


def keep_stage_rank_current(session: Session, _context: Any) -> None:
    """Recompute the stage rank of the organisations this flush touched."""
    ids = changed_organisations(session)
    if ids:
        refresh(session.connection(), ids)


def install() -> None:
    """Register the flush hook once per process."""
    if not event.contains(Session, "after_flush", keep_stage_rank_current):
        event.listen(Session, "after_flush", keep_stage_rank_current)

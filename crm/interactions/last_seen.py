"""organisations.last_interaction_on, kept equal to the date of the organisation's latest interaction.

My work's quiet companies and the daily digest read it instead of aggregating every interaction per
request. A flush hook notes the organisations whose interactions were added, moved (merge), re-dated
or deleted and recomputes their date on the flush's own connection, so it commits with the change.
The update leaves updated_at and version_id alone: logging a call is not an edit of the company.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crm.models import Interaction, Organisation

CHUNK = 500  # organisation ids per statement (SQLite's bound-parameter limit)


def recompute() -> Any:
    """Return an UPDATE of organisations setting the date from their interactions (add a WHERE)."""
    orgs = Organisation.__table__
    latest = select(func.max(Interaction.occurred_on)).where(Interaction.organisation_id == orgs.c.id)
    return update(orgs).values(last_interaction_on=latest.scalar_subquery(), updated_at=orgs.c.updated_at)


def refresh(connection: Connection, organisation_ids: Iterable[int]) -> None:
    """Recompute the last interaction date of these organisations (idempotent)."""
    ids = sorted({i for i in organisation_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        connection.execute(recompute().where(Organisation.__table__.c.id.in_(ids[start : start + CHUNK])))


def rebuild(connection: Connection) -> None:
    """Recompute the date of every organisation from the interactions (one grouped pass, not one per row)."""
    orgs = Organisation.__table__
    latest = (
        select(
            Interaction.organisation_id.label("org_id"), func.max(Interaction.occurred_on).label("last_on")
        )
        .group_by(Interaction.organisation_id)
        .subquery()
    )
    keep = {"updated_at": orgs.c.updated_at}
    connection.execute(update(orgs).values(last_interaction_on=None, **keep))
    connection.execute(
        update(orgs).where(orgs.c.id == latest.c.org_id).values(last_interaction_on=latest.c.last_on, **keep)
    )


def changed_organisations(session: Session) -> set[int]:
    """Return the organisations whose latest interaction this flush may have changed."""
    found: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if not isinstance(obj, Interaction):
            continue
        state = inspect(obj).attrs
        if obj in session.dirty and not (
            state.organisation_id.history.has_changes() or state.occurred_on.history.has_changes()
        ):
            continue
        found.add(obj.organisation_id)
        found.update(v for v in state.organisation_id.history.deleted or () if v is not None)
    return found


def keep_last_interaction_current(session: Session, _context: Any) -> None:
    """Recompute the last interaction date of the organisations this flush touched."""
    ids = changed_organisations(session)
    if ids:
        refresh(session.connection(), ids)


def install() -> None:
    """Register the flush hook once per process."""
    if not event.contains(Session, "after_flush", keep_last_interaction_current):
        event.listen(Session, "after_flush", keep_last_interaction_current)

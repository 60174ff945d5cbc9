"""Reference lists of the pipeline that administrators manage: programmes and barriers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import Barrier, Engagement, Programme, StageTransition

PROGRAMME_FIELDS = ("code", "name_es", "name_en", "description", "active")
BARRIER_FIELDS = ("code", "reason_es", "reason_en", "active")


def programmes_with_counts() -> list[tuple[Programme, int]]:
    """Return every programme with its number of engagements, counted in SQL."""
    counts = (
        select(Engagement.programme_id, func.count(Engagement.id).label("n"))
        .group_by(Engagement.programme_id)
        .subquery()
    )
    query = (
        select(Programme, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.programme_id == Programme.id)
        .order_by(Programme.active.desc(), Programme.code)
    )
    return [(programme, total) for programme, total in db.session.execute(query)]


def barriers_with_counts() -> list[tuple[Barrier, int]]:
    """Return every barrier with the number of exits that cite it, counted in SQL."""
    counts = (
        select(StageTransition.barrier_id, func.count(StageTransition.id).label("n"))
        .group_by(StageTransition.barrier_id)
        .subquery()
    )
    query = (
        select(Barrier, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.barrier_id == Barrier.id)
        .order_by(Barrier.active.desc(), Barrier.code)
    )
    return [(barrier, total) for barrier, total in db.session.execute(query)]


def check_code(model: Any, code: str, except_id: int | None) -> None:
    """Refuse a code another row already uses (case does not make it different)."""
    query = select(model.id).where(func.lower(model.code) == code.lower())
    if except_id is not None:
        query = query.where(model.id != except_id)
    if db.session.scalar(query) is not None:
        raise UserError(_("This code is already in use."), "code")


def save(model: Any, row: Any, values: Mapping[str, Any], fields: tuple[str, ...]) -> Any:
    """Create or update a reference row after checking its code is unique."""
    check_code(model, values["code"], row.id if row is not None else None)
    row = row if row is not None else model()
    for key in fields:
        setattr(row, key, values[key] if key == "active" else (values[key] or None))
    db.session.add(row)
    db.session.flush()
    return row


def save_programme(programme: Programme | None, values: Mapping[str, Any]) -> Programme:
    """Create or update a programme."""
    return save(Programme, programme, values, PROGRAMME_FIELDS)


def save_barrier(barrier: Barrier | None, values: Mapping[str, Any]) -> Barrier:
    """Create or update a barrier."""
    return save(Barrier, barrier, values, BARRIER_FIELDS)


def set_barrier_active(barrier: Barrier, active: bool) -> None:
    """Offer the barrier again, or stop offering it (past exits keep citing it)."""
    barrier.active = active
    db.session.flush()

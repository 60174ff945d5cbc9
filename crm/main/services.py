"""Queries behind the start page."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import FollowUp, Organisation, User


def open_follow_ups(user: User, limit: int = 50) -> list[FollowUp]:
    """Return the user's open follow-ups, oldest due date first."""
    query = (
        select(FollowUp)
        .options(joinedload(FollowUp.organisation))
        .where(FollowUp.assignee_id == user.id, FollowUp.done_at.is_(None))
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def work_counts(user: User, today: date) -> dict[str, int]:
    """Count overdue and due-today follow-ups and owned organisations, in SQL."""
    mine = (FollowUp.assignee_id == user.id) & FollowUp.done_at.is_(None)
    overdue = select(func.count()).where(mine, FollowUp.due_on < today)
    due_today = select(func.count()).where(mine, FollowUp.due_on == today)
    owned = select(func.count()).select_from(Organisation).where(Organisation.owner_id == user.id)
    return {
        "overdue": db.session.scalar(overdue.select_from(FollowUp)) or 0,
        "today": db.session.scalar(due_today.select_from(FollowUp)) or 0,
        "owned": db.session.scalar(owned) or 0,
    }

"""Follow-ups: who may see and close them, the filtered list and its counts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, case, false, func, select
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.interactions.services import MANAGERS
from crm.models import FollowUp, Organisation, User, utcnow
from crm.pagination import Page, paginate
from crm.permissions import can, visible_organisations

STATUSES = ("open", "overdue", "today", "upcoming", "done")
TABS = ("mine", "all")


def visible_follow_ups(user: User) -> Select:
    """Select the follow-ups the user may see (none for liaisons)."""
    if not can(user, "interaction.view"):
        return select(FollowUp).where(false())
    org_ids = visible_organisations(user).with_only_columns(Organisation.id)
    return select(FollowUp).where(FollowUp.organisation_id.in_(org_ids))


def toggleable_follow_ups(user: User) -> Select:
    """Select the follow-ups the user may mark done or reopen: managers all, others their own."""
    query = visible_follow_ups(user)
    if user.role in MANAGERS:
        return query
    return query.where(FollowUp.assignee_id == user.id)


def may_toggle_follow_up(user: User, follow_up: FollowUp) -> bool:
    """Return whether the user may mark this follow-up done or reopen it (for showing buttons)."""
    if not can(user, "interaction.log"):
        return False
    return user.role in MANAGERS or follow_up.assignee_id == user.id


def tab_for(user: User, tab: str | None) -> str:
    """Return the tab the user may open: 'all' only for managers."""
    return "all" if tab == "all" and user.role in MANAGERS else "mine"


def status_for(status: str | None) -> str:
    """Return a known status filter, 'open' by default."""
    return status if status in STATUSES else "open"


def in_tab(user: User, tab: str) -> Select:
    """Select the follow-ups of a tab: the user's own, or all for managers."""
    query = visible_follow_ups(user)
    if tab_for(user, tab) == "all":
        return query
    return query.where(FollowUp.assignee_id == user.id)


def condition(status: str, today: date) -> ColumnElement[bool]:
    """Return the SQL condition of a status filter."""
    still_open = FollowUp.done_at.is_(None)
    return {
        "open": still_open,
        "overdue": still_open & (FollowUp.due_on < today),
        "today": still_open & (FollowUp.due_on == today),
        "upcoming": still_open & (FollowUp.due_on > today),
        "done": FollowUp.done_at.is_not(None),
    }[status]


def follow_up_page(user: User, tab: str, status: str, today: date, per_page: int) -> Page:
    """Return one page of follow-ups with their organisation and interaction loaded."""
    query = in_tab(user, tab).where(condition(status, today))
    query = query.options(joinedload(FollowUp.organisation), joinedload(FollowUp.interaction))
    order = (FollowUp.done_at.desc(),) if status == "done" else (FollowUp.due_on,)
    return paginate(query.order_by(*order, FollowUp.id), per_page)


def status_counts(user: User, tab: str, today: date) -> dict[str, int]:
    """Count the tab's follow-ups under each status filter, in one SQL query."""
    columns = [func.coalesce(func.sum(case((condition(s, today), 1), else_=0)), 0).label(s) for s in STATUSES]
    row = db.session.execute(in_tab(user, tab).with_only_columns(*columns)).one()
    return {status: int(row._mapping[status]) for status in STATUSES}


def set_done(follow_up: FollowUp, done: bool) -> None:
    """Mark a follow-up done now, or reopen it."""
    follow_up.done_at = utcnow() if done else None
    db.session.flush()

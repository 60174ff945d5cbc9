"""Follow-ups: who may see and close them, the filtered list and its counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, case, false, func, select
from sqlalchemy.orm import joinedload

from crm.errors import UserError
from crm.extensions import db
from crm.interactions.services import notify_assignment, staff_choices
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
    if can(user, "followup.edit_any"):
        return query
    return query.where(FollowUp.assignee_id == user.id)


def may_toggle_follow_up(user: User, follow_up: FollowUp) -> bool:
    """Return whether the user may mark this follow-up done or reopen it (for showing buttons)."""
    if not can(user, "interaction.log"):
        return False
    return can(user, "followup.edit_any") or follow_up.assignee_id == user.id


def tab_for(user: User, tab: str | None) -> str:
    """Return the tab the user may open: 'all' only for managers."""
    return "all" if tab == "all" and can(user, "followup.view_all") else "mine"


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


def set_done(follow_up: FollowUp, done: bool, user: User | None = None) -> None:
    """Mark a follow-up done now by the user, or reopen it."""
    follow_up.done_at = utcnow() if done else None
    follow_up.done_by_id = user.id if done and user is not None else None
    db.session.flush()


SNOOZES = {"day": timedelta(days=1), "week": timedelta(weeks=1)}


@dataclass
class NewFollowUp:
    """A follow-up created on its own, as submitted."""

    organisation_id: int | None
    description: str | None
    assignee_id: int | None
    due_on: date | None


def org_panel(user: User, org: Organisation) -> dict[str, Any] | None:
    """Return the organisation's open follow-ups for its page (None for roles without access)."""
    if not can(user, "interaction.view"):
        return None
    query = visible_follow_ups(user).where(FollowUp.organisation_id == org.id, FollowUp.done_at.is_(None))
    query = query.options(joinedload(FollowUp.assignee).lazyload(User.associations))  # no liaison lookup
    items = list(db.session.scalars(query.order_by(FollowUp.due_on, FollowUp.id).limit(50)))
    return {"follow_ups": items, "org": org}


def assignee_problem(assignee_id: int | None, field: str = "assignee_id") -> dict[str, str]:
    """Return a problem unless the assignee is an active staff member, manager or administrator."""
    if assignee_id in {pair[0] for pair in staff_choices()}:
        return {}
    return {field: _("Choose an active staff member.")}


def due_problem(due_on: date | None, today: date, field: str = "due_on") -> dict[str, str]:
    """Return a problem when the due date is missing or in the past."""
    if due_on is None:
        return {field: _("Enter the due date (YYYY-MM-DD).")}
    if due_on < today:
        return {field: _("The due date cannot be in the past.")}
    return {}


def creation_problems(user: User, values: NewFollowUp, today: date) -> dict[str, str]:
    """Return what is wrong with a new follow-up, by form field."""
    problems = {}
    visible = visible_organisations(user).where(Organisation.id == values.organisation_id)
    if values.organisation_id is None or db.session.scalar(visible) is None:
        problems["organisation_id"] = _("Choose an organisation.")
    if not (values.description or "").strip():
        problems["description"] = _("Write what has to be done.")
    return problems | due_problem(values.due_on, today) | assignee_problem(values.assignee_id)


def create_follow_up(user: User, values: NewFollowUp, today: date, notify: bool = True) -> FollowUp:
    """Add a follow-up of its own (not from an interaction), or raise UserError.

    notify=False leaves out the "assigned to you" e-mail (bulk additions: the digest and My work list them).
    """
    problems = creation_problems(user, values, today)
    if problems:
        raise UserError(problems=problems)
    follow_up = FollowUp(
        organisation_id=values.organisation_id,
        assignee_id=values.assignee_id,
        created_by_id=user.id,
        due_on=values.due_on,
        description=(values.description or "").strip()[:500],
    )
    db.session.add(follow_up)
    db.session.flush()
    if notify:
        notify_assignment(user, follow_up, today)
    return follow_up


def refuse_if_done(follow_up: FollowUp, field: str) -> None:
    """Refuse to change a closed follow-up."""
    if follow_up.done_at is not None:
        raise UserError(_("This follow-up is done. Reopen it before changing it."), field=field)


def reassign(user: User, follow_up: FollowUp, assignee_id: int | None, today: date) -> None:
    """Give the follow-up to another active staff member, or raise UserError."""
    refuse_if_done(follow_up, "assignee_id")
    if assignee_id == follow_up.assignee_id:
        raise UserError(_("The follow-up is already assigned to this person."), field="assignee_id")
    problems = assignee_problem(assignee_id)
    if problems:
        raise UserError(problems=problems)
    follow_up.assignee_id = assignee_id
    db.session.flush()
    db.session.expire(follow_up, ["assignee"])
    notify_assignment(user, follow_up, today)


def snoozed_until(follow_up: FollowUp, by: str | None, chosen: date | None, today: date) -> date | None:
    """Return the new due date: a day or a week after the due date (or today if overdue), or the date."""
    if by in SNOOZES:
        return max(follow_up.due_on, today) + SNOOZES[by]
    return chosen if by == "date" else None


def snooze(follow_up: FollowUp, by: str | None, chosen: date | None, today: date) -> date:
    """Move the due date later, never into the past, or raise UserError."""
    refuse_if_done(follow_up, "due_on")
    new_due = snoozed_until(follow_up, by, chosen, today)
    problems = due_problem(new_due, today)
    if problems:
        raise UserError(problems=problems)
    follow_up.due_on = new_due
    db.session.flush()
    return new_due

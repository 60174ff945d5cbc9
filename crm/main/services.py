"""Queries behind the start page: the viewer's counts and the staff's "My work"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, Select, case, func, literal, null, or_, select, tuple_
from sqlalchemy.orm import joinedload, lazyload

from crm.extensions import db
from crm.models import EXITS, STAGES, Engagement, FollowUp, Letter, Organisation, Programme, User
from crm.models.organisation import OrgKind
from crm.models.report_rows import CompanyReach
from crm.pagination import Page
from crm.permissions import can
from crm.pipeline.company_reach import EVERY_PROGRAMME
from crm.pipeline.evidence import PAST_GATE, pending_clause, unscanned_letter_id

UPCOMING_DAYS = 7
LIST_LIMIT = 10  # rows per "My work" list before a "more" link


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


@dataclass
class Capped:
    """The first rows of a list and whether more exist."""

    items: list[Any]
    more: bool


def capped(rows: list[Any], limit: int) -> Capped:
    """Keep the first limit rows of a query run with limit + 1."""
    return Capped(rows[:limit], len(rows) > limit)


def my_follow_ups(user: User, condition: Any, limit: int = LIST_LIMIT) -> Capped:
    """Return the user's open follow-ups matching a condition, by due date."""
    query = (
        select(FollowUp)
        # Only the organisation's name is shown: skip its owner and the (known) assignee.
        .options(joinedload(FollowUp.organisation).lazyload(Organisation.owner), lazyload(FollowUp.assignee))
        .where(FollowUp.assignee_id == user.id, FollowUp.done_at.is_(None), condition)
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(limit + 1)
    )
    return capped(list(db.session.scalars(query)), limit)


def overdue_follow_ups(user: User, today: date) -> Capped:
    """Return the user's open follow-ups due before today."""
    return my_follow_ups(user, FollowUp.due_on < today)


def upcoming_follow_ups(user: User, today: date) -> Capped:
    """Return the user's open follow-ups due today or in the next seven days."""
    return my_follow_ups(user, FollowUp.due_on.between(today, today + timedelta(days=UPCOMING_DAYS)))


@dataclass
class StageCount:
    """How many of the user's companies sit at a stage of a programme."""

    programme_id: int
    programme: Programme
    stage: str
    count: int

    @property
    def anchor(self) -> str:
        """Return the id of the board column holding this stage (exits share one column)."""
        return "col-exits" if self.stage in EXITS else f"col-{self.stage}"


def stage_order(stage: str) -> int:
    """Return a stage's place: the forward path first, then the exits."""
    order = (*STAGES, *EXITS)
    return order.index(stage) if stage in order else len(order)


def stages_of_my_companies(user: User) -> list[StageCount]:
    """Count the engagements of the organisations the user owns, per programme and stage (GROUP BY).

    Read from company_reach's programme rows (one per engagement, its stage and owner kept with it).
    """
    reach = CompanyReach
    query = (
        select(Programme, reach.stage, func.count())
        .join(reach, reach.programme_key == Programme.id)
        .where(reach.owner_id == user.id, reach.programme_key != EVERY_PROGRAMME)
        .group_by(Programme.id, reach.stage)
    )
    rows = [StageCount(p.id, p, stage, n) for p, stage, n in db.session.execute(query)]
    return sorted(rows, key=lambda r: (r.programme.code, stage_order(r.stage)))


def threshold_cases(stage: Any, today: date, by_stage: Mapping[str, int], default: int) -> tuple[Any, Any]:
    """Return SQL CASEs giving an engagement's quiet-days threshold and its cut-off date (exits: NULL)."""
    exits = stage.in_(EXITS)
    days = case((exits, null()), *[(stage == s, n) for s, n in by_stage.items()], else_=default)
    cut = [(stage == s, literal(today - timedelta(days=n), Date)) for s, n in by_stage.items()]
    cutoff = case((exits, null()), *cut, else_=literal(today - timedelta(days=default), Date))
    return days, cutoff


def stale_query(user: User, today: date, by_stage: Mapping[str, int], default: int) -> Select:
    """Select the user's companies whose last interaction is older than their stage allows.

    A company in several programmes gets its strictest threshold; one with no engagement the default;
    one whose engagements have all exited (declined, on hold, withdrawn) is not chased.
    """
    reach = CompanyReach  # its programme rows: one per engagement, with its stage and its company's owner
    days, cutoff = threshold_cases(reach.stage, today, by_stage, default)
    # Grouped over the user's own companies only: the database cannot push the outer filter into it.
    per_org = (
        select(reach.organisation_id.label("org_id"), func.min(days).label("days"))
        .add_columns(func.max(cutoff).label("cutoff"))
        .where(reach.owner_id == user.id, reach.programme_key != EVERY_PROGRAMME)
        .group_by(reach.organisation_id)
    )
    eng = per_org.subquery()
    last_on = Organisation.last_interaction_on  # kept by crm.interactions.last_seen
    no_engagement = eng.c.org_id.is_(None)
    limit_days = case((no_engagement, literal(default, Integer)), else_=eng.c.days)
    limit_on = case((no_engagement, literal(today - timedelta(days=default), Date)), else_=eng.c.cutoff)
    return (
        select(Organisation.id, Organisation.legal_name, last_on.label("last_on"), limit_days.label("days"))
        .outerjoin(eng, eng.c.org_id == Organisation.id)
        .where(Organisation.owner_id == user.id, Organisation.kind == OrgKind.COMPANY, limit_on.is_not(None))
        .where(or_(last_on.is_(None), last_on < limit_on))
        .order_by(last_on.is_not(None), last_on, Organisation.legal_name, Organisation.id)
    )


@dataclass
class StaleCompany:
    """A company gone quiet: its last interaction, the days since and the threshold it passed."""

    id: int
    name: str
    last_on: date | None
    days_since: int | None
    threshold: int


def stale_companies(
    user: User, today: date, by_stage: Mapping[str, int], default: int, number: int, per_page: int
) -> Page:
    """Return one page of the user's quiet companies, never-contacted first, then the longest quiet."""
    query = stale_query(user, today, by_stage, default)
    # The total rides along on each row (a window count): one pass over the joins instead of two.
    # A page past the end (a hand-made URL) finds no row and so shows an empty list without a pager.
    counted = query.add_columns(func.count().over().label("total"))
    rows = list(db.session.execute(counted.limit(per_page).offset((number - 1) * per_page)))
    total = rows[0].total if rows else 0
    items = [
        StaleCompany(r.id, r.legal_name, r.last_on, (today - r.last_on).days if r.last_on else None, r.days)
        for r in rows
    ]
    return Page(items, total, number, per_page)


def letters_not_back(user: User, today: date, limit: int = LIST_LIMIT) -> Capped:
    """Return (letter, days waiting) for letters the user requested that are still only requested."""
    query = (
        select(Letter)
        .where(Letter.requested_by_id == user.id, Letter.status == "requested")
        .order_by(Letter.requested_on.is_(None), Letter.requested_on, Letter.id)
        .limit(limit + 1)
    )
    rows = [(letter, waiting(letter, today)) for letter in db.session.scalars(query).unique()]
    return capped(rows, limit)


def waiting(letter: Letter, today: date) -> int | None:
    """Return how many days ago the letter was requested."""
    return (today - letter.requested_on).days if letter.requested_on else None


@dataclass
class PendingEvidence:
    """An engagement past the gate whose signed letter of interest has no scan, and that letter."""

    org_id: int
    name: str
    programme: Programme
    stage: str
    letter_id: int
    signed_on: date | None


def evidence_pending(user: User, limit: int = LIST_LIMIT) -> Capped:
    """Return engagements with evidence pending (the user's companies; all for managers), oldest first."""
    letter = unscanned_letter_id()
    company = (Organisation.id, Organisation.legal_name)
    query = (
        select(*company, Programme, Engagement.stage, Letter.id, Letter.signed_on)
        .select_from(Engagement)
        .join(Organisation, Organisation.id == Engagement.organisation_id)
        .join(Programme, Programme.id == Engagement.programme_id)
        .join(Letter, Letter.id == letter)
        .where(pending_clause())
        .order_by(Letter.signed_on.is_(None), Letter.signed_on, Organisation.legal_name, Engagement.id)
        .limit(limit + 1)
    )
    if not can(user, "evidence.view_all"):  # coordinators chase every missing scan
        # The owner's engagements with evidence pending, from the few company_reach rows that say so
        # (their stage and pending evidence kept with them), before any letter is looked at.
        reach = CompanyReach
        pending = select(reach.organisation_id, reach.programme_key).where(
            reach.owner_id == user.id, reach.pending_top.is_not(None), reach.stage.in_(PAST_GATE)
        )
        keys = tuple_(Engagement.organisation_id, Engagement.programme_id)
        query = query.where(Organisation.owner_id == user.id, keys.in_(pending))
    return capped([PendingEvidence(*row) for row in db.session.execute(query)], limit)

"""The pipeline board: filters, per-stage counts and one page of cards per column, all in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import contains_eager

from crm.extensions import db
from crm.models import EXITS, STAGES, Engagement, Membership, Organisation, Programme, User
from crm.organisations.listing import sector_clause
from crm.pagination import Page
from crm.permissions import visible_organisations
from crm.pipeline.evidence import pending_clause
from crm.web import to_id

EXIT_COLUMN = "exits"  # the one column holding declined, on hold and withdrawn cards
COLUMNS = (*STAGES, EXIT_COLUMN)


@dataclass
class BoardFilters:
    """The board's programme and filters, already made safe."""

    programme: int | None = None
    sector: int | None = None
    district: int | None = None
    owner: int | None = None
    association: int | None = None

    @property
    def active(self) -> bool:
        """Return whether any filter beyond the programme narrows the board."""
        return bool(self.sector or self.district or self.owner or self.association)


@dataclass
class Column:
    """One column of the board: its key, the count per stage it holds and a page of cards."""

    key: str
    page: Page
    counts: dict[str, int] = field(default_factory=dict)
    pending: set[int] = field(default_factory=set)  # cards whose signed letter of interest has no scan

    @property
    def arg(self) -> str:
        """Return the query argument naming this column's page."""
        return f"p_{self.key}"


def parse_filters(args: Mapping[str, str], programmes: list[Programme]) -> BoardFilters:
    """Read the board's arguments; an unknown programme means the first active one."""
    known = {p.id for p in programmes}
    wanted = to_id(args.get("programme"))
    return BoardFilters(
        programme=wanted if wanted in known else default_programme(programmes),
        sector=to_id(args.get("sector")),
        district=to_id(args.get("district")),
        owner=to_id(args.get("owner")),
        association=to_id(args.get("association")),
    )


def default_programme(programmes: list[Programme]) -> int | None:
    """Return the first active programme, else the first one, else None."""
    active = [p.id for p in programmes if p.active]
    return (active or [p.id for p in programmes] or [None])[0]


def all_programmes() -> list[Programme]:
    """Return every programme, active ones first, in creation order."""
    query = select(Programme).order_by(Programme.active.desc(), Programme.id)
    return list(db.session.scalars(query))


def member_clause(association_id: int) -> Any:
    """Match companies that belong to the association (any status but 'left')."""
    members = select(Membership.company_id).where(
        Membership.association_id == association_id, Membership.status != "left"
    )
    return Organisation.id.in_(members)


def conditions(user: User, f: BoardFilters) -> list[Any]:
    """Return the WHERE conditions: the user's scope, the programme and the filters."""
    scope = visible_organisations(user).whereclause
    found = [] if scope is None else [scope]
    found.append(Engagement.programme_id == f.programme)
    if f.sector:
        found.append(sector_clause(f.sector))
    if f.district:
        found.append(Organisation.district_id == f.district)
    if f.owner:
        found.append(Organisation.owner_id == f.owner)
    if f.association:
        found.append(member_clause(f.association))
    return found


def joined(query: Select) -> Select:
    """Join each engagement to its organisation, which the scope and filters read."""
    return query.join(Organisation, Engagement.organisation_id == Organisation.id)


def visible_engagements(user: User) -> Select:
    """Select the engagements of the organisations the user may see."""
    scope = visible_organisations(user).whereclause
    query = joined(select(Engagement))
    return query if scope is None else query.where(scope)


def stage_counts(user: User, f: BoardFilters) -> dict[str, int]:
    """Return the number of engagements per stage, with one GROUP BY."""
    query = select(Engagement.stage, func.count()).select_from(Engagement)
    # Without a scope or filter only engagement columns are read: skip the join (an index-only count).
    if visible_organisations(user).whereclause is not None or f.active:
        query = joined(query)
    rows = db.session.execute(query.where(*conditions(user, f)).group_by(Engagement.stage))
    return {stage: total for stage, total in rows}


def in_column(key: str) -> Any:
    """Match the engagements a column holds (the exit column holds every exit)."""
    return Engagement.stage.in_(EXITS) if key == EXIT_COLUMN else Engagement.stage == key


def card_order() -> tuple[Any, ...]:
    """Return the order of cards within a column: longest in the stage first."""
    return (Engagement.stage_since, func.lower(Organisation.legal_name), Engagement.id)


def column_page(user: User, f: BoardFilters, key: str, number: int, per_page: int) -> Select:
    """Select the ids of one column's requested page of cards (LIMIT/OFFSET, so an index can serve it)."""
    query = joined(select(Engagement.id)).where(*conditions(user, f), in_column(key))
    return query.order_by(*card_order()).limit(per_page).offset((number - 1) * per_page)


def card_query(user: User, f: BoardFilters, pages: Mapping[str, int], per_page: int) -> Select:
    """Select every column's requested page of cards in one statement, with their companies and marks."""
    wanted = [column_page(user, f, key, number, per_page).subquery() for key, number in pages.items()]
    ids = union_all(*[select(page.c.id) for page in wanted])
    pending = pending_clause().label("evidence_pending")
    query = joined(select(Engagement, pending)).where(Engagement.id.in_(ids))
    # The owner's liaison associations (a selectin relationship) are never shown on a card.
    owner = contains_eager(Engagement.organisation).joinedload(Organisation.owner).lazyload(User.associations)
    return query.options(owner).order_by(*card_order())


def column_counts(counts: Mapping[str, int], key: str) -> dict[str, int]:
    """Return the per-stage counts a column shows (the exit column shows each exit)."""
    stages = EXITS if key == EXIT_COLUMN else (key,)
    return {stage: counts.get(stage, 0) for stage in stages}


def build(user: User, f: BoardFilters, pages: Mapping[str, int], per_page: int) -> list[Column]:
    """Return the board's columns, each with its counts and requested page of cards."""
    if f.programme is None:
        return []
    counts = stage_counts(user, f)
    cards: dict[str, list[Engagement]] = {key: [] for key in COLUMNS}
    pending: set[int] = set()
    for engagement, evidence_pending in db.session.execute(card_query(user, f, pages, per_page)).unique():
        cards[EXIT_COLUMN if engagement.stage in EXITS else engagement.stage].append(engagement)
        if evidence_pending:
            pending.add(engagement.id)
    columns = []
    for key in COLUMNS:
        shown = column_counts(counts, key)
        page = Page(cards[key], sum(shown.values()), pages[key], per_page)
        columns.append(Column(key, page, shown, pending))
    return columns


def association_options(user: User) -> list[Organisation]:
    """Return the associations the user may see, by name."""
    query = visible_organisations(user).where(Organisation.kind == "association")
    return list(db.session.scalars(query.order_by(func.lower(Organisation.legal_name))))

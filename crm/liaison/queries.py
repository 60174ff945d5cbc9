"""Queries of the portal: members, participation, referrals and the company search.

The scope (which associations, memberships and companies a user may reach) is crm.permissions' alone;
the member list starts from it, and every id a liaison sends is resolved through a scoped SELECT (with
get_or_404), so a record outside their associations is never fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, exists, func, or_, select

from crm.extensions import db
from crm.models import (
    EXITS,
    MEMBERSHIP_STATUSES,
    STAGES,
    District,
    Engagement,
    Membership,
    Organisation,
    Programme,
    Sector,
)
from crm.models.organisation import OrgKind
from crm.organisations.listing import search_clause
from crm.pagination import Page, count
from crm.permissions import portal_associations, visible_memberships
from crm.web import to_id

MEMBERS_PER_PAGE = 50  # a 200-member association fits in four pages
STALE_DAYS = 90
MIN_SEARCH = 3
COMMITTED = STAGES[STAGES.index("loi_signed") :]
IN_PROGRESS = ("contacted", "meeting_held")
# Coarse participation, ranked: a company's best engagement decides what the liaison sees.
RANKS = ("not_contacted", "declined", "in_progress", "committed")


@dataclass(frozen=True)
class MemberFilters:
    """The member list's filters, already made safe."""

    status: str | None = None
    stale: bool = False
    q: str = ""

    def args(self) -> dict[str, str]:
        """Return the filters that are set, as query arguments."""
        values = {"status": self.status or "", "stale": "1" if self.stale else "", "q": self.q}
        return {key: value for key, value in values.items() if value}


def parse_filters(args: Mapping[str, str]) -> MemberFilters:
    """Read the filters from query arguments or hidden form fields, ignoring odd values."""
    status = args.get("status")
    return MemberFilters(
        status=status if status in MEMBERSHIP_STATUSES else None,
        stale=args.get("stale") == "1",
        q=(args.get("q") or "").strip()[:200],
    )


def associations_of(user: Any) -> list[Organisation]:
    """Return the liaison's associations, for the tabs."""
    return list(db.session.scalars(portal_associations(user)).unique())


def stale_before(now: datetime) -> datetime:
    """Return the moment before which a review counts as out of date."""
    return now - timedelta(days=STALE_DAYS)


def members_query(user: Any, association_id: int, filters: MemberFilters, now: datetime) -> Select:
    """Select the association's memberships the user may see (pending ones too), filtered, by company name."""
    query = (
        visible_memberships(user)
        .where(Membership.association_id == association_id)
        .join(Organisation, Membership.company_id == Organisation.id)
    )
    if filters.status:
        query = query.where(Membership.status == filters.status)
    if filters.stale:
        old = or_(Membership.last_reviewed_at.is_(None), Membership.last_reviewed_at < stale_before(now))
        query = query.where(old)
    if filters.q:
        query = query.where(search_clause(filters.q))
    return query.order_by(Organisation.legal_name, Membership.id)


def confirmed(query: Select) -> Select:
    """Narrow a membership query to the memberships the PMU has confirmed."""
    return query.where(Membership.confirmation == "confirmed")


def rank_of(stage: Any) -> Any:
    """Return the SQL expression turning a stage into its coarse participation rank."""
    return case(
        (stage.in_(COMMITTED), 3),
        (stage.in_(IN_PROGRESS), 2),
        (stage.in_(EXITS), 1),
        else_=0,
    )


def participation(company_ids: list[int]) -> dict[int, str]:
    """Return each company's coarse participation, from one grouped query over its engagements."""
    if not company_ids:
        return {}
    query = (
        select(Engagement.organisation_id, func.max(rank_of(Engagement.stage)))
        .where(Engagement.organisation_id.in_(company_ids))
        .group_by(Engagement.organisation_id)
    )
    ranks = dict(db.session.execute(query).all())
    return {company_id: RANKS[ranks.get(company_id) or 0] for company_id in company_ids}


def referral_counts(association_id: int) -> dict[str, int]:
    """Count the association's referred companies per coarse status (best referred engagement)."""
    per_company = (
        select(Engagement.organisation_id, func.max(rank_of(Engagement.stage)).label("rank"))
        .where(Engagement.source_association_id == association_id)
        .group_by(Engagement.organisation_id)
        .subquery()
    )
    query = select(per_company.c.rank, func.count()).group_by(per_company.c.rank)
    counts = dict(db.session.execute(query).all())
    return {name: counts.get(rank, 0) for rank, name in enumerate(RANKS)}


def referrals_query(association_id: int, locale: str) -> Select:
    """Select the association's referrals: company name, programme, date and coarse rank only."""
    name = Programme.name_en if locale == "en" else Programme.name_es
    return (
        select(
            Organisation.legal_name.label("company"),
            name.label("programme"),
            Engagement.referred_at,
            rank_of(Engagement.stage).label("rank"),
        )
        .join(Organisation, Engagement.organisation_id == Organisation.id)
        .join(Programme, Engagement.programme_id == Programme.id)
        .where(Engagement.source_association_id == association_id)
        .order_by(Engagement.referred_at.desc(), Engagement.id.desc())
    )


def company_rows(association_id: int, locale: str) -> Select:
    """Select companies with only id, name, district, sector and membership of the association."""
    sector_name = Sector.name_en if locale == "en" else Sector.name_es
    link = (Membership.company_id == Organisation.id, Membership.association_id == association_id)
    member = exists().where(*link)
    confirmation = select(Membership.confirmation).where(*link).scalar_subquery()
    return (
        select(
            Organisation.id,
            Organisation.legal_name,
            District.name.label("district"),
            Sector.code.label("sector_code"),
            sector_name.label("sector"),
            member.label("is_member"),
            confirmation.label("confirmation"),
        )
        .outerjoin(District, Organisation.district_id == District.id)
        .outerjoin(Sector, Organisation.sector_id == Sector.id)
        .where(Organisation.kind == OrgKind.COMPANY)
        .order_by(Organisation.legal_name, Organisation.id)
    )


def company_search(term: str, association_id: int, locale: str) -> Select:
    """Select companies matching a name or RUC: only id, name, district, sector and membership here."""
    return company_rows(association_id, locale).where(search_clause(term))


def company_offer(company_id: int, association_id: int, locale: str) -> Any:
    """Return the narrow row of one company, offered when its RUC is typed for a new company."""
    query = company_rows(association_id, locale).where(Organisation.id == company_id)
    return db.session.execute(query).first()


def active_programmes() -> Select:
    """Select the programmes companies can be referred to."""
    return select(Programme).where(Programme.active.is_(True)).order_by(Programme.id)


def paginate_rows(query: Select, per_page: int, number: int) -> Page:
    """Return one page of a multi-column SELECT (named rows, not entities) with the total."""
    rows = db.session.execute(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(list(rows), count(query), number, per_page)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def version_of(membership: Membership) -> int:
    """Return a membership's version: its last save in microseconds (what the API's ETag names too)."""
    saved = membership.updated_at
    saved = saved if saved.tzinfo else saved.replace(tzinfo=UTC)
    return (saved - EPOCH) // timedelta(microseconds=1)


def parse_pick(raw: str) -> tuple[int | None, int | None]:
    """Read a ticked box's value, "<membership id>:<version seen>" (the version may be missing)."""
    ident, _, version = str(raw).partition(":")
    plausible = version.isascii() and version.isdigit() and len(version) < 20
    return to_id(ident), int(version) if plausible else None

"""The organisation list: search, filters and sort, and the options of its filter selects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from sqlalchemy import Select, func, or_, select

from crm import refcache
from crm.extensions import db
from crm.models import KINDS, District, Engagement, Organisation, Programme, Sector, User
from crm.pagination import LIST_COUNT_CAP
from crm.permissions import can, roles_with, visible_organisations
from crm.ruc import clean_ruc
from crm.text import like_pattern
from crm.web import to_id

SORTS = {
    "name": func.lower(Organisation.legal_name),
    "kind": Organisation.kind,
    "sector": Sector.code,
    "district": District.name,
    "owner": User.name,
    "stage": Organisation.stage_rank,  # the furthest current stage, kept by crm.pipeline.stage_rank
    "updated": Organisation.updated_at,
}


@dataclass
class Filters:
    """The list's search term, filters and sort order, already made safe."""

    q: str = ""
    kind: str | None = None
    sector: int | None = None
    district: int | None = None
    owner: int | None = None
    sort: str = "name"

    @property
    def active(self) -> bool:
        """Return whether any search or filter narrows the list."""
        return bool(self.q or self.kind or self.sector or self.district or self.owner)


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read the list's query arguments, ignoring values that make no sense."""
    sort = args.get("sort") or "name"
    return Filters(
        q=(args.get("q") or "").strip()[:200],
        kind=args.get("kind") if args.get("kind") in KINDS else None,
        sector=to_id(args.get("sector")),
        district=to_id(args.get("district")),
        owner=to_id(args.get("owner")),
        sort=sort if sort.lstrip("-") in SORTS else "name",
    )


def search_clause(term: str) -> Any:
    """Match the folded names and RUC; a full RUC also matches exactly, typed with dots or dashes."""
    clause = Organisation.search_text.like(like_pattern(term), escape="\\")
    ruc = clean_ruc(term)
    if len(ruc) == 11 and ruc.isdigit():
        clause = or_(clause, Organisation.ruc == ruc)
    return clause


def sector_family(sector_id: int) -> list[int]:
    """Return the sector's id and, for an ISIC section, its divisions' ids (kept with the reference lists)."""
    return refcache.cached("sector_families", load_sector_families).get(sector_id, [])


def load_sector_families() -> dict[int, list[int]]:
    """Map every sector to itself and its divisions (one small query)."""
    families: dict[int, list[int]] = {}
    for sector_id, parent_id in db.session.execute(select(Sector.id, Sector.parent_id).order_by(Sector.id)):
        families.setdefault(sector_id, []).insert(0, sector_id)
        if parent_id is not None:
            families.setdefault(parent_id, []).append(sector_id)
    return families


def sector_clause(sector_id: int, column: Any = Organisation.sector_id) -> Any:
    """Match a sector and, for an ISIC section, all of its divisions.

    The ids are looked up first so the database sees a plain IN list: it can then read the sector index
    (an OR with a subquery made PostgreSQL scan every organisation).
    """
    return column.in_(sector_family(sector_id))


def filter_conditions(f: Filters) -> list[Any]:
    """Return the WHERE conditions of the search and filters."""
    conditions = [search_clause(f.q)] if f.q else []
    if f.kind:
        conditions.append(Organisation.kind == f.kind)
    if f.sector:
        conditions.append(sector_clause(f.sector))
    if f.district:
        conditions.append(Organisation.district_id == f.district)
    if f.owner:
        conditions.append(Organisation.owner_id == f.owner)
    return conditions


def sorted_query(query: Select, sort: str) -> Select:
    """Join what the sort column needs and order by it, ties broken by id."""
    key = sort.lstrip("-")
    joins = {
        "sector": (Sector, Organisation.sector_id == Sector.id),
        "district": (District, Organisation.district_id == District.id),
        "owner": (User, Organisation.owner_id == User.id),
    }
    if key in joins:
        query = query.outerjoin(*joins[key])
    descending = sort.startswith("-")
    column = SORTS[key].desc() if descending else SORTS[key].asc()
    if key in joins or key == "stage":  # only these can be empty: empty last, either way
        column = column.nulls_last()
    if key == "stage" and descending:  # as the index ix_organisations_stage_rank_desc has it (no stage: -1)
        column = func.coalesce(Organisation.stage_rank, -1).desc()
    # The tie-breaker follows the direction, so one index (e.g. on lower(legal_name), id) serves both ways.
    return query.order_by(column, Organisation.id.desc() if descending else Organisation.id)


def list_query(user: User, f: Filters) -> Select:
    """Select the organisations the user may see that match the filters, sorted (its count capped)."""
    if f.sort.lstrip("-") == "stage" and not can(user, "pipeline.view"):
        f = replace(f, sort="name")  # the order would tell the stages the page does not show
    query = sorted_query(visible_organisations(user).where(*filter_conditions(f)), f.sort)
    return query.execution_options(count_cap=LIST_COUNT_CAP)


# --- reference options --------------------------------------------------------------------------------


class SectorRow(NamedTuple):
    """A sector as the selects show it (kept across requests, so not a database row)."""

    id: int
    code: str
    name_es: str
    name_en: str
    parent_id: int | None

    def label(self, locale: str = "es") -> str:
        """Return 'code – name' in the given language."""
        return f"{self.code} – {self.name_en if locale == 'en' else self.name_es}"


class DistrictRow(NamedTuple):
    """A district as the selects show it."""

    id: int
    name: str
    province: str
    region: str


def sector_groups() -> list[tuple[SectorRow, list[SectorRow]]]:
    """Return each ISIC section with its divisions, by code."""
    return refcache.cached("sector_groups", build_sector_groups)


def build_sector_groups() -> list[tuple[SectorRow, list[SectorRow]]]:
    """Read the sectors and group the divisions under their section."""
    columns = (Sector.id, Sector.code, Sector.name_es, Sector.name_en, Sector.parent_id)
    sectors = [SectorRow(*row) for row in db.session.execute(select(*columns).order_by(Sector.code))]
    children: dict[int, list[SectorRow]] = {}
    for sector in sectors:
        if sector.parent_id is not None:
            children.setdefault(sector.parent_id, []).append(sector)
    return [(s, children.get(s.id, [])) for s in sectors if s.parent_id is None]


def districts() -> list[DistrictRow]:
    """Return the districts by region, province and name."""
    columns = (District.id, District.name, District.province, District.region)
    query = select(*columns).order_by(District.region, District.province, District.name)
    return refcache.cached("districts", lambda: [DistrictRow(*row) for row in db.session.execute(query)])


class OwnerRow(NamedTuple):
    """A user who may own relationships, as the owner filters show them."""

    id: int
    name: str
    active: bool


def owner_rows() -> list[OwnerRow]:
    """Return every user who may own relationships, active or not (the owner filters)."""
    owners = select(User.id, User.name, User.active).where(User.role.in_(roles_with("org.own")))
    query = owners.order_by(User.name)
    return refcache.cached("owners", lambda: [OwnerRow(*row) for row in db.session.execute(query)])


def staff_users(include_id: int | None = None, active_only: bool = True) -> list[User]:
    """Return the users who can own relationships (plus one current owner, even if inactive)."""
    query = select(User).where(User.role.in_(roles_with("org.own")))
    if active_only:
        query = query.where(or_(User.active.is_(True), User.id == include_id))
    return list(db.session.scalars(query.order_by(User.name)))


def stages_of(orgs: list[Organisation]) -> dict[int, list[tuple[str, str]]]:
    """Return each listed organisation's (programme code, stage) pairs, in one query."""
    query = (
        select(Engagement.organisation_id, Programme.code, Engagement.stage)
        .join(Programme, Programme.id == Engagement.programme_id)
        .where(Engagement.organisation_id.in_([o.id for o in orgs]))
        .order_by(Programme.code)
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for org_id, code, stage in db.session.execute(query):
        found.setdefault(org_id, []).append((code, stage))
    return found

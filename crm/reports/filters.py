"""The filters shared by every report: reading them safely and turning them into SQL conditions.

Definitions (the same on every report that uses them):
- programme: engagements (letters, events) of that programme only.
- period (from/to, inclusive): a stage transition counts when its occurred_on lies in the period;
  cohorts use the date of first contact, co-finance the letter's signed_on (and materialisations up
  to the end date), events their held_on, trends the snapshot's taken_on.
- sector: the company's sector; an ISIC section includes all of its divisions.
- district, owner: the company's district and the staff member who owns the relationship.
- association: the company is an active member of it OR one of its engagements was referred by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm import refcache
from crm.extensions import db
from crm.models import CompanyLink, District, Engagement, Organisation, Programme, User
from crm.models.organisation import OrgKind
from crm.organisations import listing
from crm.organisations.listing import sector_groups
from crm.permissions import roles_with
from crm.templating import fmt_date
from crm.web import to_id

ALL_FILTERS = ("programme", "period", "sector", "district", "association", "owner")


@dataclass(frozen=True)
class ReportFilters:
    """The filters of a report, already validated (None means "all")."""

    programme: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sector: int | None = None
    district: int | None = None
    association: int | None = None
    owner: int | None = None

    def args(self) -> dict[str, str]:
        """Return the filters as query arguments (for links and exports)."""
        names = {"date_from": "from", "date_to": "to"}
        values = {names.get(f.name, f.name): getattr(self, f.name) for f in fields(self)}
        return {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in values.items() if v}

    def only(self, used: tuple[str, ...]) -> ReportFilters:
        """Return a copy keeping only the filters a report uses."""
        cleared = {name: None for name in ("programme", "sector", "district", "association", "owner")}
        cleared = {k: v for k, v in cleared.items() if k not in used}
        if "period" not in used:
            cleared.update(date_from=None, date_to=None)
        return replace(self, **cleared)


def to_date(raw: str | None, problems: list[str]) -> date | None:
    """Return an ISO date from a query argument; note a problem when it is not one."""
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw.strip()[:10])
    except ValueError:
        problems.append(_("“%(value)s” is not a date (use YYYY-MM-DD); it was ignored.", value=raw[:20]))
        return None
    return value if 1900 <= value.year <= 2200 else None


def parse_filters(args: Mapping[str, str]) -> tuple[ReportFilters, list[str]]:
    """Read the filters from query arguments, ignoring nonsense; return them with any problems."""
    problems: list[str] = []
    start, end = to_date(args.get("from"), problems), to_date(args.get("to"), problems)
    if start and end and start > end:
        problems.append(_("The period starts after it ends: nothing can match."))
    found = ReportFilters(
        programme=to_id(args.get("programme")),
        date_from=start,
        date_to=end,
        sector=to_id(args.get("sector")),
        district=to_id(args.get("district")),
        association=to_id(args.get("association")),
        owner=to_id(args.get("owner")),
    )
    return found, problems


def programme_by_code(code: str | None) -> int | None:
    """Return the id of the programme with this code (for the CLI), or None."""
    if not code:
        return None
    return db.session.scalar(select(Programme.id).where(Programme.code == code.strip().upper()))


# --- SQL conditions -----------------------------------------------------------------------------------


def in_period(column: Any, f: ReportFilters) -> list[Any]:
    """Return the conditions keeping a date column inside the period."""
    conditions = []
    if f.date_from:
        conditions.append(column >= f.date_from)
    if f.date_to:
        conditions.append(column <= f.date_to)
    return conditions


def sector_clause(sector_column: Any, sector_id: int) -> Any:
    """Match a sector and, for an ISIC section, all of its divisions (the organisation list's rule)."""
    return listing.sector_clause(sector_id, sector_column)


def organisation_conditions(f: ReportFilters, org: Any = Organisation) -> list[Any]:
    """Return the conditions on the organisation: sector, district, owner and association."""
    conditions = []
    if f.sector:
        conditions.append(sector_clause(org.sector_id, f.sector))
    if f.district:
        conditions.append(org.district_id == f.district)
    if f.owner:
        conditions.append(org.owner_id == f.owner)
    if f.association:
        # company_links keeps each company's active memberships and referring associations (in the same
        # flush as any change): one index range, instead of joining memberships and engagements each time.
        linked = select(CompanyLink.organisation_id).where(CompanyLink.association_id == f.association)
        conditions.append(org.id.in_(linked))
    return conditions


def engagement_conditions(f: ReportFilters) -> list[Any]:
    """Return the conditions on engagements and their companies (not the period)."""
    conditions = [Organisation.kind == OrgKind.COMPANY, *organisation_conditions(f)]
    if f.programme:
        conditions.append(Engagement.programme_id == f.programme)
    return conditions


# --- options of the filter selects ----------------------------------------------------------------------


def options(locale: str) -> dict[str, list[tuple[int, str]]]:
    """Return the choices of every filter select, as (id, text) pairs (kept per process)."""
    return refcache.cached(("report_options", locale), lambda: build_options(locale))


def build_options(locale: str) -> dict[str, list[tuple[int, str]]]:
    """Read the choices of every filter select."""
    programme_name = Programme.name_en if locale == "en" else Programme.name_es
    return {
        "programme": pairs(select(Programme.id, programme_name).order_by(Programme.code)),
        "sector": sector_options(locale),
        "district": pairs(select(District.id, District.name).order_by(District.name)),
        "association": pairs(
            select(Organisation.id, Organisation.legal_name)
            .where(Organisation.kind == "association")
            .order_by(Organisation.legal_name)
        ),
        "owner": pairs(select(User.id, User.name).where(User.role.in_(owner_roles())).order_by(User.name)),
    }


def owner_roles() -> list[str]:
    """Return the roles that may own organisations (the owner filter lists their users)."""
    return roles_with("org.own")


def sector_options(locale: str) -> list[tuple[int, str]]:
    """Return each ISIC section followed by its divisions (indented with a dash)."""
    found = []
    for section, divisions in sector_groups():
        found.append((section.id, section.label(locale)))
        found += [(division.id, "— " + division.label(locale)) for division in divisions]
    return found


def pairs(query: Any) -> list[tuple[int, str]]:
    """Run a two-column query and return its rows as tuples."""
    return [(row[0], row[1]) for row in db.session.execute(query)]


def described(f: ReportFilters, locale: str) -> list[tuple[str, str]]:
    """Return the filters in words (names, not ids; dates in the user's format), for an export's header."""
    named = {"programme": _("Programme"), "sector": _("Sector"), "district": _("District")}
    named |= {"association": _("Association"), "owner": _("Owner")}
    chosen = [key for key in named if getattr(f, key)]
    names = options(locale) if chosen else {}
    found = [(named[key], dict(names[key]).get(getattr(f, key), str(getattr(f, key)))) for key in chosen]
    found += [(_("From"), fmt_date(f.date_from))] if f.date_from else []
    return found + ([(_("To"), fmt_date(f.date_to))] if f.date_to else [])

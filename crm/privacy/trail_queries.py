"""Reading the read trail: filtered, paginated rows and the per-user and per-company counts, in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from crm import clock
from crm.extensions import db
from crm.models import AccessLog, Organisation, User
from crm.permissions import can
from crm.web import to_id


@dataclass(frozen=True)
class TrailFilters:
    """What the trail pages show: a date range (local days, inclusive), a reader and a company."""

    start: date | None = None
    end: date | None = None
    user_id: int | None = None
    org_id: int | None = None

    def args(self) -> dict[str, Any]:
        """Return the filters as query arguments (for links and exports)."""
        values = {"start": self.start, "end": self.end, "user": self.user_id, "org": self.org_id}
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v}


def parse_day(raw: str | None) -> date | None:
    """Read a YYYY-MM-DD date; anything else means no limit."""
    try:
        return date.fromisoformat((raw or "").strip()[:10]) if raw else None
    except ValueError:
        return None


def parse_filters(args: Mapping[str, str], org_id: int | None = None) -> TrailFilters:
    """Read the filters from the query string (odd values are ignored); a company page fixes the company."""
    return TrailFilters(
        start=parse_day(args.get("start")),
        end=parse_day(args.get("end")),
        user_id=to_id(args.get("user")),
        org_id=org_id if org_id is not None else to_id(args.get("org")),
    )


def local_midnight(day: date) -> datetime:
    """Return the start of a local day as an aware time."""
    return datetime.combine(day, time(), tzinfo=clock.zone())


def filtered(query: Select, filters: TrailFilters) -> Select:
    """Apply the filters to a query over AccessLog."""
    if filters.start:
        query = query.where(AccessLog.at >= local_midnight(filters.start))
    if filters.end:
        query = query.where(AccessLog.at < local_midnight(filters.end + timedelta(days=1)))
    if filters.user_id:
        query = query.where(AccessLog.user_id == filters.user_id)
    if filters.org_id:
        query = query.where(AccessLog.organisation_id == filters.org_id)
    return query


def rows_query(filters: TrailFilters) -> Select:
    """Select the reads with their reader's and company's names, newest first."""
    reader, company = aliased(User), aliased(Organisation)
    query = (
        select(AccessLog, reader.name, company.legal_name)
        .outerjoin(reader, reader.id == AccessLog.user_id)
        .outerjoin(company, company.id == AccessLog.organisation_id)
        .order_by(AccessLog.at.desc(), AccessLog.id.desc())
    )
    return filtered(query, filters)


def rows_page(filters: TrailFilters, per_page: int, number: int) -> tuple[list[Any], int]:
    """Return one page of reads (access row, reader name, company name) and the total."""
    query = rows_query(filters)
    total = db.session.scalar(filtered(select(func.count(AccessLog.id)), filters)) or 0
    rows = db.session.execute(query.limit(per_page).offset((number - 1) * per_page)).all()
    return list(rows), total


def per_user(filters: TrailFilters, limit: int = 50) -> list[Any]:
    """Count reads per reader: name, role, reads, companies, first and last read."""
    query = (
        select(
            AccessLog.user_id,
            User.name,
            User.role,
            func.count(AccessLog.id).label("reads"),
            func.count(AccessLog.organisation_id.distinct()).label("companies"),
            func.min(AccessLog.at).label("first"),
            func.max(AccessLog.at).label("last"),
        )
        .outerjoin(User, User.id == AccessLog.user_id)
        .group_by(AccessLog.user_id, User.name, User.role)
        .order_by(func.count(AccessLog.id).desc(), User.name)
        .limit(limit)
    )
    return list(db.session.execute(filtered(query, filters)))


def per_company(filters: TrailFilters, limit: int = 50) -> list[Any]:
    """Count reads per company: id, name, reads, readers, last read."""
    query = (
        select(
            AccessLog.organisation_id,
            Organisation.legal_name,
            func.count(AccessLog.id).label("reads"),
            func.count(AccessLog.user_id.distinct()).label("readers"),
            func.max(AccessLog.at).label("last"),
        )
        .outerjoin(Organisation, Organisation.id == AccessLog.organisation_id)
        .group_by(AccessLog.organisation_id, Organisation.legal_name)
        .order_by(func.count(AccessLog.id).desc(), Organisation.legal_name)
        .limit(limit)
    )
    return list(db.session.execute(filtered(query, filters)))


def readers() -> list[User]:
    """Return the users who ever read confidential data, for the reader filter."""
    ids = select(AccessLog.user_id).where(AccessLog.user_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


def may_read_company_trail(user: Any, org: Organisation) -> bool:
    """Return whether the user may read this company's trail: administrators, and the company's owner."""
    if can(user, "privacy.trail_view"):
        return True
    return can(user, "privacy.trail_own") and org.owner_id == user.id


def kinds_read(filters: TrailFilters) -> list[Any]:
    """Return each kind of data and set of fields read, with how many reads, for the statement."""
    query = (
        select(AccessLog.what, AccessLog.fields, func.count(AccessLog.id).label("reads"))
        .group_by(AccessLog.what, AccessLog.fields)
        .order_by(AccessLog.what, func.count(AccessLog.id).desc())
    )
    return list(db.session.execute(filtered(query, filters)))

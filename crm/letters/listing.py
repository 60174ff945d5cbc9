"""The letters list: filters (kind, status, programme, organisation, overdue), sort and counts in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import contains_eager

from crm.extensions import db
from crm.models import LETTER_KINDS, LETTER_STATUSES, Letter, Organisation, Programme, User
from crm.permissions import visible_organisations
from crm.text import like_pattern
from crm.web import to_id

SORTS = {
    "requested": Letter.requested_on,
    "signed": Letter.signed_on,
    "organisation": Organisation.search_text,  # folded: accents sort alike on SQLite and PostgreSQL
    "kind": Letter.kind,
    "status": Letter.status,
    "amount": Letter.amount_usd,
    "updated": Letter.updated_at,
}
DEFAULT_SORT = "-requested"


@dataclass
class Filters:
    """The list's filters and sort order, already made safe."""

    q: str = ""
    kind: str | None = None
    status: str | None = None
    programme: int | None = None
    organisation: int | None = None
    overdue: bool = False
    unscanned: bool = False  # only letters without their scanned document
    sort: str = DEFAULT_SORT

    @property
    def active(self) -> bool:
        """Return whether any filter narrows the list."""
        narrowing = (self.q, self.kind, self.status, self.programme, self.organisation, self.overdue)
        return any(narrowing) or self.unscanned


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read the list's query arguments, ignoring values that make no sense."""
    sort = args.get("sort") or DEFAULT_SORT
    return Filters(
        q=(args.get("q") or "").strip()[:200],
        kind=args.get("kind") if args.get("kind") in LETTER_KINDS else None,
        status=args.get("status") if args.get("status") in LETTER_STATUSES else None,
        programme=to_id(args.get("programme")),
        organisation=to_id(args.get("organisation")),
        overdue=args.get("overdue") in ("1", "on", "true"),
        unscanned=args.get("unscanned") in ("1", "on", "true"),
        sort=sort if sort.lstrip("-") in SORTS else DEFAULT_SORT,
    )


def overdue_clause(today: date, days: int) -> Any:
    """Match letters requested more than `days` days ago that are still not received or signed."""
    return and_(
        Letter.status == "requested",
        Letter.received_on.is_(None),
        Letter.signed_on.is_(None),
        Letter.requested_on < today - timedelta(days=days),
    )


def conditions(f: Filters, today: date, days: int, with_status: bool = True) -> list[Any]:
    """Return the WHERE conditions of the filters (the status one only when asked)."""
    found = []
    if f.q:
        found.append(Organisation.search_text.like(like_pattern(f.q), escape="\\"))
    if f.kind:
        found.append(Letter.kind == f.kind)
    if f.status and with_status:
        found.append(Letter.status == f.status)
    if f.programme:
        found.append(Letter.programme_id == f.programme)
    if f.organisation:
        found.append(Letter.organisation_id == f.organisation)
    if f.overdue:
        found.append(overdue_clause(today, days))
    if f.unscanned:
        found.append(Letter.document_id.is_(None))
    return found


def scoped(user: User) -> Select:
    """Select letters joined to their organisation, limited to organisations the user may see."""
    query = select(Letter).join(Organisation, Letter.organisation_id == Organisation.id)
    organisations = visible_organisations(user)
    if organisations.whereclause is not None:  # liaisons have no letter.view; the scope stays explicit anyway
        query = query.where(Organisation.id.in_(organisations.with_only_columns(Organisation.id)))
    return query


def list_query(user: User, f: Filters, today: date, days: int) -> Select:
    """Select the letters matching the filters, sorted, with organisation, programme and document."""
    key = f.sort.lstrip("-")
    column = SORTS[key].desc() if f.sort.startswith("-") else SORTS[key].asc()
    return (
        scoped(user)
        .where(*conditions(f, today, days))
        .options(contains_eager(Letter.organisation))
        .order_by(column.nulls_last(), Letter.id.desc())
    )


def status_counts(user: User, f: Filters, today: date, days: int) -> tuple[dict[str, int], int]:
    """Return letters per status under the other filters, and how many of them are overdue (one query)."""
    late = func.sum(case((overdue_clause(today, days), 1), else_=0))
    query = (
        scoped(user)
        .where(*conditions(f, today, days, with_status=False))
        .with_only_columns(Letter.status, func.count(Letter.id), late)
        .group_by(Letter.status)
    )
    rows = db.session.execute(query).all()
    return {status: count for status, count, _late in rows}, sum(int(r[2] or 0) for r in rows)


def filtered_ids(user: User, f: Filters, today: date, days: int) -> Select:
    """Select the ids of every letter the filters match (for totals over the whole list)."""
    return scoped(user).where(*conditions(f, today, days)).with_only_columns(Letter.id)


def programmes(include_id: int | None = None) -> list[Programme]:
    """Return the active programmes, plus one inactive programme a letter already points to."""
    query = select(Programme).where((Programme.active.is_(True)) | (Programme.id == include_id))
    return list(db.session.scalars(query.order_by(Programme.code)))


def organisations_matching(user: User, term: str, limit: int = 20) -> list[Organisation]:
    """Return a few organisations the user may see whose names match, to start a letter from."""
    query = visible_organisations(user).order_by(func.lower(Organisation.legal_name), Organisation.id)
    if term:
        query = query.where(Organisation.search_text.like(like_pattern(term), escape="\\"))
    return list(db.session.scalars(query.limit(limit)).unique())

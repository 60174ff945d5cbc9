"""Pagination of scoped SELECTs with the count computed in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from crm.extensions import db


@dataclass
class Page:
    """One page of results and the total number of matches."""

    items: list[Any]
    total: int
    number: int
    per_page: int
    # True when counting stopped at `total`: there are more matches than that (see paginate's cap).
    capped: bool = False
    more: bool = False

    @property
    def pages(self) -> int:
        """Return the number of pages (at least one; a capped count knows only up to this one)."""
        if self.capped:
            return self.number + 1 if self.more else self.number
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        """Return whether a previous page exists."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Return whether a next page exists."""
        return self.number < self.pages


# Lists that can hold every company in the country count their matches up to this many, no further.
LIST_COUNT_CAP = 1000


def page_number(name: str = "page") -> int:
    """Read a page-number argument safely: anything odd means page 1."""
    raw = request.args.get(name, "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 and int(raw) > 0 else 1


def count(query: Select) -> int:
    """Count the rows a SELECT would return, in SQL."""
    subquery = query.order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(subquery)) or 0


def capped_count(query: Select, cap: int) -> int:
    """Count the rows a SELECT would return, stopping at cap + 1 (so a large list never counts them all)."""
    subquery = query.order_by(None).limit(cap + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(subquery)) or 0


def exact_count_asked() -> bool:
    """Return whether the user asked for the exact number of matches (the link beside a capped count)."""
    return request.args.get("count") == "exact"


def paginate(query: Select, per_page: int, number: int | None = None, cap: int | None = None) -> Page:
    """Return one page of a SELECT's scalar results with the total, or with a count capped at `cap`.

    With a cap the total is exact up to cap; beyond it the page says "more than cap" (capped=True),
    the pager offers the next page when one more row exists, and the exact count comes on demand
    (?count=exact). A query can carry its own cap: `query.execution_options(count_cap=LIST_COUNT_CAP)`.
    """
    number = number or page_number()
    cap = cap or query.get_execution_options().get("count_cap")
    if cap is None or exact_count_asked():
        items = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).unique().all()
        return Page(list(items), count(query), number, per_page)
    found = db.session.scalars(query.limit(per_page + 1).offset((number - 1) * per_page)).unique().all()
    items, more = list(found[:per_page]), len(found) > per_page
    total = capped_count(query, cap)
    if total <= cap:
        return Page(items, total, number, per_page)
    return Page(items, cap, number, per_page, capped=True, more=more)


def rows_page(query: Select, number: int, per_page: int, cap: int = LIST_COUNT_CAP) -> Page:
    """Return one page of a SELECT's rows (tuples), counted up to `cap` unless the exact count is asked."""
    found = db.session.execute(query.limit(per_page + 1).offset((number - 1) * per_page)).all()
    items, more = list(found[:per_page]), len(found) > per_page
    if exact_count_asked():
        return Page(items, count(query), number, per_page)
    total = capped_count(query, cap)
    return Page(items, min(total, cap), number, per_page, capped=total > cap, more=more)

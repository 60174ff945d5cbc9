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

    @property
    def pages(self) -> int:
        """Return the number of pages (at least one)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        """Return whether a previous page exists."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Return whether a next page exists."""
        return self.number < self.pages


def page_number(name: str = "page") -> int:
    """Read a page-number argument safely: anything odd means page 1."""
    raw = request.args.get(name, "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 and int(raw) > 0 else 1


def count(query: Select) -> int:
    """Count the rows a SELECT would return, in SQL."""
    subquery = query.order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(subquery)) or 0


def paginate(query: Select, per_page: int, number: int | None = None) -> Page:
    """Return one page of a SELECT's scalar results with the total."""
    number = number or page_number()
    items = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).unique().all()
    return Page(list(items), count(query), number, per_page)

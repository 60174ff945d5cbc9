"""The shape every report returns: tables of raw values that pages, exports and the CLI share."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from math import sqrt
from typing import Any

from markupsafe import Markup

from crm.reports.filters import ReportFilters

ONE_DECIMAL = Decimal("0.1")


@dataclass
class Column:
    """A column: its key (for sorting), heading and kind (text, int, pct, money, decimal, date)."""

    key: str
    title: str
    kind: str = "int"
    sortable: bool = False


@dataclass
class Table:
    """A titled table of raw values, an optional total row and an optional chart drawn above it."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    chart: Markup | None = None
    note: str | None = None
    links: list[str | None] | None = None  # a URL per row, for the first cell (pages only)
    page: Any = None  # a crm.pagination.Page when the page shows one page of the rows
    row_classes: list[str | None] | None = None  # a CSS class per row (traffic lights)

    @property
    def headers(self) -> list[str]:
        """Return the column headings."""
        return [str(c.title) for c in self.columns]

    def all_rows(self) -> list[list[Any]]:
        """Return the rows followed by the total row, if any (what exports write)."""
        return self.rows + ([self.total] if self.total else [])


@dataclass
class Report:
    """A report built for some filters: its tables plus anything its page shows besides."""

    key: str
    title: str
    filters: ReportFilters
    tables: list[Table]
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self, key: str) -> Table | None:
        """Return the table with this key, if the report has it."""
        return next((t for t in self.tables if t.key == key), None)


def percent(numerator: Any, denominator: Any) -> Decimal | None:
    """Return numerator/denominator as a percentage with one decimal (None when undefined)."""
    if not denominator:
        return None
    value = Decimal(numerator or 0) * 100 / Decimal(denominator)
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def one_in(numerator: Any, denominator: Any) -> Decimal | None:
    """Return N in "one in N" (denominator/numerator, one decimal), None when nobody converted."""
    if not numerator:
        return None
    return (Decimal(denominator or 0) / Decimal(numerator)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def money(value: Any) -> Decimal:
    """Return a sum of money as a Decimal with two places (SQLite may hand back floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


Z95 = 1.959964  # the normal quantile of a two-sided 95 % interval
SMALL_SAMPLE = 10  # below this many trials a rate is flagged: 1 of 1 is not "100 %" in any useful sense


def wilson(successes: int, trials: int) -> tuple[Decimal, Decimal] | None:
    """Return the Wilson 95 % interval of a rate, in percent with one decimal (None without trials).

    Unlike p ± 1.96·SE it stays within 0–100 % and is honest for small samples and rates near 0 or 100 %.
    """
    if not trials:
        return None
    p, z2 = successes / trials, Z95 * Z95
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    margin = Z95 * sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    low, high = max(centre - margin, 0.0), min(centre + margin, 1.0)
    return tuple(Decimal(100 * v).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP) for v in (low, high))

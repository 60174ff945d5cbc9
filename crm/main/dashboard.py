"""The managers' dashboard: this half-year against the last, co-finance, indicators, overdue and stalled work.

Every figure comes from the report modules' own SQL (the maintained stage_reach aggregate for the
funnel), so a tile and the report it links to never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from crm.extensions import db
from crm.letters.listing import overdue_clause
from crm.models import Letter, Organisation
from crm.reports import cofinance, funnel, indicators, timing
from crm.reports.filters import ReportFilters
from crm.reports.services import period_bounds, period_of
from crm.reports.tables import money, percent

LIST_LIMIT = 5  # the dashboard shows the first few; each tile links to the full report


@dataclass
class PeriodFunnel:
    """Contacted, letters of interest and conversion within one half-year."""

    period: str
    start: date
    end: date
    contacted: int
    letters: int
    conversion: Decimal | None

    def args(self) -> dict[str, str]:
        """Return the report filters that show this period."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def previous_period(period: str) -> str:
    """Return the half-year before a period."""
    start, _end = period_bounds(period)
    return period_of(start - timedelta(days=1))


def period_funnel(period: str) -> PeriodFunnel:
    """Count the companies contacted and signing a letter of interest within a half-year."""
    start, end = period_bounds(period)
    counts = funnel.stage_counts(ReportFilters(date_from=start, date_to=end))
    contacted, letters = counts["contacted"], counts["loi_signed"]
    return PeriodFunnel(period, start, end, contacted, letters, percent(letters, contacted))


def funnel_comparison(today: date) -> tuple[PeriodFunnel, PeriodFunnel]:
    """Return this half-year's funnel figures and the previous half-year's."""
    current = period_of(today)
    return period_funnel(current), period_funnel(previous_period(current))


def cofinance_totals() -> dict[str, Decimal]:
    """Return committed, materialised and pending co-finance in USD over every signed letter."""
    values = cofinance.total_values(cofinance.commitments(ReportFilters()))
    return dict(zip(("committed", "materialised", "pending"), (money(v) for v in values), strict=True))


def indicator_lights() -> tuple[list[indicators.Figure], dict[str, int]]:
    """Return the indicators with their traffic lights, and how many are at each light."""
    figures = indicators.compute_all(None)
    tally = {"reached": 0, "on_the_way": 0, "not_on_track": 0, "none": 0}
    for figure in figures:
        tally[figure.light or "none"] += 1
    return figures, tally


def overdue_letters(today: date, days: int) -> tuple[int, list[Any]]:
    """Return how many requested letters are overdue, and the oldest few with their company."""
    late = overdue_clause(today, days)  # the letters list's own rule, so the tile and its link agree
    total = db.session.scalar(select(func.count(Letter.id)).where(late))
    query = (
        select(Letter.id, Letter.kind, Letter.requested_on, Organisation.id, Organisation.legal_name)
        .join(Organisation, Organisation.id == Letter.organisation_id)
        .where(late)
        .order_by(Letter.requested_on, Letter.id)
        .limit(LIST_LIMIT)
    )
    return total or 0, db.session.execute(query).all()


def stalled(today: date) -> tuple[int, list[Any]]:
    """Return how many engagements have stayed in their stage beyond its 75th percentile, and the longest."""
    f = ReportFilters()
    query = timing.stalled_query(f, today, timing.stage_limits(f))
    if query is None:
        return 0, []
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return total or 0, db.session.execute(query.limit(LIST_LIMIT)).all()

"""Changes the reports make: freezing a reporting period and editing indicator targets."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from crm.errors import UserError
from crm.extensions import db
from crm.models import FrozenPeriod, Indicator, utcnow
from crm.reports import frozen as stored
from crm.reports.filters import ReportFilters
from crm.reports.indicators import as_reported, compute_all

PERIOD = re.compile(r"^(\d{4})-S([12])$")
FIRST_YEAR = 2015  # the project cannot report on periods before it existed


def period_bounds(period: str) -> tuple[date, date]:
    """Return the first and last day of a half-year period like 2026-S1 (UserError if malformed)."""
    match = PERIOD.match(period or "")
    if not match or not FIRST_YEAR <= int(match.group(1)) <= 2100:
        raise UserError(_("Write the period as YEAR-S1 or YEAR-S2, for example 2026-S1."), "period")
    year, half = int(match.group(1)), int(match.group(2))
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


def period_of(day: date) -> str:
    """Return the half-year period a day falls in."""
    return f"{day.year}-S{1 if day.month <= 6 else 2}"


def recent_periods(today: date, count: int = 8) -> list[str]:
    """Return the current half-year and the ones before it, newest first."""
    year, half = today.year, 1 if today.month <= 6 else 2
    found = []
    for _step in range(count):
        found.append(f"{year}-S{half}")
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return [p for p in found if int(p[:4]) >= FIRST_YEAR]


def last_finished_period(today: date) -> str:
    """Return the last half-year that has ended: the one a freeze normally records."""
    return recent_periods(today, 2)[-1]


def frozen(period: str) -> FrozenPeriod | None:
    """Return the frozen record of a period, if it was frozen."""
    return db.session.scalars(select(FrozenPeriod).where(FrozenPeriod.period == period)).first()


def freeze(period: str, user_id: int | None, today: date) -> FrozenPeriod:
    """Store every report of an ended period as reported (indicators and tables); only once."""
    start, end = period_bounds(period)
    if end >= today:
        raise UserError(_("The period %(period)s has not ended yet.", period=period), "period")
    # Worded now: after a flush that failed, not even the user's language can be read.
    taken = _("The period %(period)s is already frozen.", period=period)
    if db.session.scalar(select(exists().where(FrozenPeriod.period == period))):
        raise UserError(taken, "period")
    indicators = {figure.indicator.code: as_reported(figure) for figure in compute_all(end, period)}
    figures = stored.period_figures(indicators, ReportFilters(date_from=start, date_to=end), today)
    record = FrozenPeriod(period=period, frozen_by_id=user_id, frozen_at=utcnow(), figures=figures)
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:  # someone froze it at the same moment
        raise UserError(taken, "period") from None
    return record


def set_target(indicator: Indicator, target: Decimal | None) -> bool:
    """Change an indicator's target (the change history records it); return whether it changed."""
    target = None if target is None else target.quantize(Decimal("0.01"))
    if indicator.target == target:
        return False
    indicator.target = target
    db.session.flush()
    return True


def frozen_figures(record: FrozenPeriod) -> stored.FrozenFigures:
    """Read a frozen period's figures (rows frozen before every report was kept give their dates too)."""
    figures = stored.read(record.figures)
    if figures.filters.date_from is None:
        start, end = period_bounds(record.period)
        figures.filters = ReportFilters(date_from=start, date_to=end)
    return figures

"""Every report in one table: its builder, title and the shared filters it uses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from crm.reports import cofinance, cohorts, conversion, events, funnel, results, timing, trends
from crm.reports.filters import ALL_FILTERS, ReportFilters
from crm.reports.tables import Report


@dataclass(frozen=True)
class ReportKind:
    """A report: how to build it, its title and description, and which filters apply to it."""

    build: Callable[..., Report]
    title: Any
    description: Any
    filters: tuple[str, ...] = ALL_FILTERS


REPORTS: dict[str, ReportKind] = {
    "funnel": ReportKind(
        funnel.build,
        _l("Recruitment funnel"),
        _l("Companies that reached each stage, conversions and exits."),
    ),
    "conversion": ReportKind(
        conversion.build,
        _l("Conversion by sector"),
        _l("Contacted, letters of interest and conversion by sector, association, district, size and owner."),
    ),
    "cohorts": ReportKind(
        cohorts.build, _l("Cohorts"), _l("Companies by month or quarter of first contact.")
    ),
    "timing": ReportKind(timing.build, _l("Time in stage"), _l("Days per stage and stalled engagements.")),
    "cofinance": ReportKind(
        cofinance.build, _l("Co-finance"), _l("Committed, materialised and pending co-finance in USD.")
    ),
    "indicators": ReportKind(
        results.build,
        _l("Results framework"),
        _l("Indicators, targets, ratings; frozen reporting periods."),
        (),
    ),
    "events": ReportKind(
        events.build,
        _l("Events"),
        _l("Events by type, people reached and share of women."),
        events.USED_FILTERS,
    ),
    "trends": ReportKind(
        trends.build,
        _l("Trends"),
        _l("Conversion over time from the nightly snapshots."),
        trends.USED_FILTERS,
    ),
}


def build(
    name: str, f: ReportFilters, options: Mapping[str, str], locale: str, today: date, **context: Any
) -> Report:
    """Build a report with only the filters it uses."""
    kind = REPORTS[name]
    return kind.build(f.only(kind.filters), options, locale, today=today, **context)

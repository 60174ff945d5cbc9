"""The results-framework report: live figures, or a frozen period's reported figures beside live ones."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from crm.errors import UserError
from crm.labels import label
from crm.models import FrozenPeriod
from crm.reports import frozen, services
from crm.reports.filters import ReportFilters
from crm.reports.indicators import LIGHTS, RATING_NAMES, Figure, compute_all
from crm.reports.tables import Column, Report, Table


def decimal(value: Any) -> Decimal | None:
    """Return a stored figure (text in the frozen JSON) as a Decimal."""
    return None if value in (None, "") else Decimal(str(value))


def rating_text(score: int | None) -> str:
    """Return '6 – Highly satisfactory' or empty."""
    return "" if score is None else f"{score} – {RATING_NAMES[score]}"


def light_text(key: str | None) -> str:
    """Return the traffic light's label or empty."""
    return str(LIGHTS[key]) if key in LIGHTS else ""


def base_columns() -> list[Column]:
    """Return the code, indicator and unit columns."""
    return [
        Column("code", _("Code"), "text"),
        Column("indicator", _("Indicator"), "text"),
        Column("unit", _("Unit"), "text"),
    ]


def judged_columns() -> list[Column]:
    """Return the target, value, achievement, rating and light columns."""
    return [
        Column("target", _("Target"), "decimal"),
        Column("value", _("Value"), "decimal"),
        Column("achieved", _("Achieved (%)"), "pct"),
        Column("rating", _("Rating"), "text"),
        Column("light", _("Traffic light"), "text"),
    ]


def live_table(figures: list[Figure], locale: str) -> Table:
    """Build the live results table (the projection from expected results beside the GEF indicators)."""
    rows = [
        [f.indicator.code, f.indicator.name(locale), label("indicator_unit", f.indicator.unit)]
        + [f.target, f.value, f.achieved]
        + [rating_text(f.rating), light_text(f.light), f.projected]
        for f in figures
    ]
    columns = base_columns() + judged_columns() + [Column("projected", _("Projected (expected)"), "decimal")]
    table = Table("indicators", _("Results framework"), columns, rows)
    table.row_classes = [f"light-{f.light}" if f.light else None for f in figures]
    return table


def reported_rows(record: FrozenPeriod, locale: str) -> tuple[list[list[Any]], list[str | None]]:
    """Return the indicators as reported for a period (either stored shape) and their lights."""
    rows, lights = [], []
    for code, stored in frozen.read(record.figures).indicators.items():
        name = stored.get("name_en") if locale == "en" else stored.get("name_es")
        rows.append(
            [code, name, label("indicator_unit", stored.get("unit"))]
            + [decimal(stored.get("target")), decimal(stored.get("value"))]
            + [
                decimal(stored.get("percent")),
                rating_text(stored.get("rating")),
                light_text(stored.get("light")),
            ]
        )
        lights.append(stored.get("light"))
    return rows, lights


def reported_table(record: FrozenPeriod, locale: str) -> Table:
    """Build the frozen period's table of indicators exactly as reported (no live value)."""
    rows, lights = reported_rows(record, locale)
    columns = base_columns() + judged_columns()
    columns[4].title = _("Reported value")
    title = _("Results framework as reported for %(period)s", period=record.period)
    table = Table("indicators", title, columns, rows)
    table.row_classes = [f"light-{key}" if key else None for key in lights]
    return table


def frozen_table(record: FrozenPeriod, figures: list[Figure], locale: str) -> Table:
    """Build the frozen period's table: the figures as reported, and today's value for the same date."""
    live = {f.indicator.code: f.value for f in figures}
    table = reported_table(record, locale)
    table.columns.append(Column("live", _("Live value"), "decimal"))
    table.rows = [row + [live.get(row[0])] for row in table.rows]
    return table


def build(f: ReportFilters, options: Mapping[str, str], locale: str, **context: Any) -> Report:
    """Build the results report: live as of today, or as of a period's end (frozen figures if frozen)."""
    today: date = context["today"]
    period = options.get("period") or ""
    try:
        as_of = services.period_bounds(period)[1] if period else today
    except UserError:
        period, as_of = "", today
    figures = compute_all(as_of, period or None)
    record = services.frozen(period) if period else None
    table = frozen_table(record, figures, locale) if record else live_table(figures, locale)
    extra = {"period": period, "as_of": as_of, "frozen": record, "figures": figures}
    title = _("Reporting period %(period)s, frozen", period=period) if record else _("Results framework")
    return Report("indicators", title, f, [table], extra)

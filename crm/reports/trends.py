"""Trends: conversion by sector (or association, district) over time, from the nightly metric snapshots.

Each snapshot row holds, for one day, programme and group, the companies contacted and those with
a letter of interest. Without a programme filter the programmes' rows of a day and group are
added up. The chart draws the groups with the most contacted companies on the latest day.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import MetricSnapshot, Sector
from crm.reports import charts
from crm.reports.filters import ReportFilters, in_period
from crm.reports.tables import Column, Report, Table, percent
from crm.templating import fmt_date

# The dimensions the nightly job (crm/metrics/services.py) writes, except its per-programme total.
DIMENSIONS = {
    "sector": _l("Sector"),
    "association": _l("Referring association"),
    "member_of": _l("Association (membership)"),
    "district": _l("District"),
}
NONE_KEY = "none"  # the snapshot's group of companies without a sector, district or association
CHART_SERIES = 8
USED_FILTERS = ("programme", "period")


def group_label(dimension: str, locale: str) -> Any:
    """Return the label column: sector names in the user's language (the snapshot keeps Spanish)."""
    if dimension != "sector":
        return MetricSnapshot.group_label
    name = Sector.name_en if locale == "en" else Sector.name_es
    return func.coalesce(Sector.code + " – " + name, MetricSnapshot.group_label)


def trend_query(f: ReportFilters, dimension: str, locale: str = "es") -> Any:
    """Select per day and group: label, contacted and letters of interest (summed over programmes)."""
    query = select(
        MetricSnapshot.taken_on,
        MetricSnapshot.group_key,
        func.max(group_label(dimension, locale)),
        func.sum(MetricSnapshot.contacted),
        func.sum(MetricSnapshot.loi_signed),
    ).where(MetricSnapshot.dimension == dimension, *in_period(MetricSnapshot.taken_on, f))
    if dimension == "sector":  # codes are unique, so the join never multiplies rows
        query = query.outerjoin(Sector, Sector.code == MetricSnapshot.group_key)
    if f.programme:
        query = query.where(MetricSnapshot.programme_id == f.programme)
    keys = (MetricSnapshot.taken_on, MetricSnapshot.group_key)
    # Biggest groups first each day; the key only breaks ties.
    order = (MetricSnapshot.taken_on, func.sum(MetricSnapshot.contacted).desc(), MetricSnapshot.group_key)
    return query.group_by(*keys).order_by(*order)


def trend_chart(title: str, found: list[Any]) -> Any:
    """Draw the conversion of the biggest groups (by contacted on the latest day) over time."""
    days = sorted({row[0] for row in found})
    if not days:
        return None
    latest = sorted((row for row in found if row[0] == days[-1]), key=lambda r: (-(r[3] or 0), r[2] or ""))
    chosen = [(row[1], row[2]) for row in latest[:CHART_SERIES]]
    values = {(row[0], row[1]): percent(row[4], row[3]) for row in found}
    series = [(name, [values.get((day, key)) for day in days]) for key, name in chosen]
    return charts.line_chart(title, [fmt_date(day) for day in days], series)


def trend_table(f: ReportFilters, dimension: str, locale: str = "es") -> Table:
    """Build the long table (day, group, contacted, letters, conversion) with its chart."""
    none = _("Not recorded")
    found = [
        (day, key, none if key == NONE_KEY else name, c, n)
        for day, key, name, c, n in db.session.execute(trend_query(f, dimension, locale))
    ]
    rows = [[day, name, c, n, percent(n, c)] for day, _key, name, c, n in found]
    columns = [
        Column("taken_on", _("Day"), "date"),
        Column("group", str(DIMENSIONS[dimension]), "text"),
        Column("contacted", _("Contacted")),
        Column("loi", _("Letter of interest signed")),
        Column("conversion", _("Conversion (%)"), "pct"),
    ]
    title = _("Conversion over time by %(group)s", group=str(DIMENSIONS[dimension]).lower())
    table = Table("trends", title, columns, rows)
    table.chart = trend_chart(title, found)
    return table


def build(f: ReportFilters, options: Mapping[str, str], locale: str, **_ignored: Any) -> Report:
    """Build the trends report for a dimension."""
    dimension = options.get("by") if options.get("by") in DIMENSIONS else "sector"
    extra = {"dimension": dimension, "dimensions": DIMENSIONS}
    return Report("trends", _("Trends"), f, [trend_table(f, dimension, locale)], extra)

"""Frozen reporting periods: every report's tables kept as plain JSON, and read back.

FrozenPeriod.figures holds, at its top level, the indicators as reported ({code: {"value": …}}, the
shape frozen rows have always had) and, beside them, keys that start with "_" (never an indicator code):

    _version  2
    _filters  {"from": "2025-01-01", "to": "2025-06-30"}: the period's dates, no other filter
    _reports  {"es": [report, …], "en": [report, …]}: every report built in each language
    report    {"key", "title", "tables": [table, …]}
    table     {"key", "title", "note", "columns": [{"key", "title", "kind"}], "rows": [[…]], "total"}

Cells are JSON: whole numbers as numbers, decimals as exact text ("12.30"), dates as ISO text; the
column's kind turns them back into Decimals and dates. Rows frozen before (indicators only) read back
with no reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import force_locale

from crm.reports.filters import ReportFilters
from crm.reports.tables import Column, Report, Table
from crm.web import format_locale

VERSION = 2
LOCALES = ("es", "en")
NUMBER_KINDS = ("int", "pct", "money", "decimal")


def frozen_report_names() -> list[str]:
    """Return the reports a freeze stores besides the indicators (every report of the menu)."""
    from crm.reports import registry  # here: the registry imports the results report, which reads this

    return [name for name in registry.REPORTS if name != "indicators"]


def encode(value: Any) -> Any:
    """Return a cell as JSON: numbers stay numbers, decimals exact text, dates ISO text."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def decode(value: Any, kind: str) -> Any:
    """Return a stored cell as its column's kind reads it (a Decimal, a date, or as stored)."""
    if not isinstance(value, str) or not value:
        return value
    try:
        if kind in NUMBER_KINDS:
            return Decimal(value)
        if kind == "date":
            return date.fromisoformat(value[:10])
    except (InvalidOperation, ValueError):
        return value
    return value


def stored_table(table: Table) -> dict[str, Any]:
    """Return a table as plain JSON: columns, rows and total (no chart, links or page)."""
    return {
        "key": table.key,
        "title": str(table.title),
        "note": str(table.note) if table.note else None,
        "columns": [{"key": c.key, "title": str(c.title), "kind": c.kind} for c in table.columns],
        "rows": [[encode(v) for v in row] for row in table.rows],
        "total": [encode(v) for v in table.total] if table.total else None,
    }


def build_all(f: ReportFilters, today: date, locale: str) -> list[Report]:
    """Build every frozen report for the filters, all rows (no page), in a language."""
    from crm.reports import registry

    return [registry.build(name, f, {}, locale, today, page=None) for name in frozen_report_names()]


def snapshot(f: ReportFilters, today: date) -> dict[str, list[dict[str, Any]]]:
    """Return every report's tables, in each language, as plain JSON."""
    found = {}
    for locale in LOCALES:
        with force_locale(format_locale(locale)):
            reports = build_all(f, today, locale)
            found[locale] = [
                {"key": r.key, "title": str(r.title), "tables": [stored_table(t) for t in r.tables]}
                for r in reports
            ]
    return found


def period_figures(indicators: dict[str, Any], f: ReportFilters, today: date) -> dict[str, Any]:
    """Return what a freeze stores: the indicators as reported and every report for the period."""
    dates = {"from": encode(f.date_from), "to": encode(f.date_to)}
    return {**indicators, "_version": VERSION, "_filters": dates, "_reports": snapshot(f, today)}


@dataclass
class FrozenFigures:
    """A frozen period read back, whichever shape it was stored in."""

    indicators: dict[str, dict[str, Any]]
    filters: ReportFilters
    reports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    version: int = 1

    def tables(self, locale: str) -> list[Report]:
        """Return the frozen reports in a language (Spanish when that one was not stored)."""
        stored = self.reports.get(locale) or self.reports.get("es") or []
        return [
            Report(r["key"], r["title"], self.filters, [table_of(t) for t in r["tables"]]) for r in stored
        ]


def read(figures: Mapping[str, Any] | None) -> FrozenFigures:
    """Read a period's stored figures: the indicators-only shape or the one with every report."""
    figures = figures or {}
    indicators = {k: v for k, v in figures.items() if not str(k).startswith("_") and isinstance(v, Mapping)}
    dates = figures.get("_filters") or {}
    f = ReportFilters(date_from=decode(dates.get("from"), "date"), date_to=decode(dates.get("to"), "date"))
    reports = figures.get("_reports")
    version = int(figures.get("_version") or 1)
    return FrozenFigures(indicators, f, reports if isinstance(reports, dict) else {}, version)


def table_of(stored: Mapping[str, Any]) -> Table:
    """Return a stored table as a Table of raw values (Decimals, dates) again."""
    columns = [Column(c["key"], c["title"], c.get("kind", "int")) for c in stored["columns"]]
    kinds = [c.kind for c in columns]
    rows = [[decode(v, k) for v, k in zip(row, kinds, strict=False)] for row in stored["rows"]]
    total = stored.get("total")
    total = [decode(v, k) for v, k in zip(total, kinds, strict=False)] if total else None
    return Table(stored["key"], stored["title"], columns, rows, total, note=stored.get("note"))

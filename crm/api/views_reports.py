"""Read-only report endpoints: the same builders and filters as the report pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask import request

from crm import clock
from crm.api.blueprint import bp
from crm.api.paging import Id, Text
from crm.permissions import require
from crm.reports import filters, registry
from crm.reports.tables import Report, Table
from crm.web import locale, page_size

API_REPORTS = ("funnel", "conversion", "cofinance", "indicators")
F = ma.fields


class ReportArgs(ma.Schema):
    """The report pages' filters (each report uses those that apply to it)."""

    programme = Id()
    date_from = F.Date(data_key="from")
    date_to = F.Date(data_key="to")
    sector = Id()
    district = Id()
    association = Id()
    owner = Id()
    by = Text(validate=ma.validate.Length(max=30), metadata={"description": "conversion: the dimension"})
    sort = Text(validate=ma.validate.Length(max=30), metadata={"description": "conversion: the order"})


class ColumnSchema(ma.Schema):
    """A column of a report table."""

    key = F.String()
    title = F.String()
    kind = F.String()


class TableSchema(ma.Schema):
    """A report table: raw values (decimals as strings, dates in ISO form)."""

    key = F.String()
    title = F.String()
    columns = F.List(F.Nested(ColumnSchema))
    rows = F.List(F.List(F.Raw()))
    total = F.List(F.Raw(), allow_none=True)


class ReportSchema(ma.Schema):
    """A report built for the filters."""

    key = F.String()
    title = F.String()
    filters = F.Dict(keys=F.String(), values=F.String())
    problems = F.List(F.String())
    tables = F.List(F.Nested(TableSchema))


def plain(value: Any) -> Any:
    """Return a JSON value for a table cell."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if isinstance(value, date) else str(value)


def table_out(table: Table) -> dict[str, Any]:
    """Return a table as plain values."""
    columns = [{"key": c.key, "title": str(c.title), "kind": c.kind} for c in table.columns]
    total = [plain(v) for v in table.total] if table.total else None
    rows = [[plain(v) for v in row] for row in table.rows]
    return {"key": table.key, "title": str(table.title), "columns": columns, "rows": rows, "total": total}


def report_out(report: Report, problems: list[str]) -> dict[str, Any]:
    """Return a report as plain values."""
    tables = [table_out(t) for t in report.tables]
    return {
        "key": report.key,
        "title": str(report.title),
        "filters": report.filters.args(),
        "problems": [str(p) for p in problems],
        "tables": tables,
    }


def report_view(name: str):
    """Return the endpoint of one report."""

    @require("report.view")
    @bp.arguments(ReportArgs, location="query", as_kwargs=False)
    @bp.response(200, ReportSchema)
    def view(_args: dict[str, Any]):
        found, problems = filters.parse_filters(request.args)
        report = registry.build(
            name, found, request.args, locale(), clock.today(), page=None, per_page=page_size()
        )
        return report_out(report, problems)

    view.__name__ = view.__qualname__ = f"report_{name}"
    view.__doc__ = f"The {name} report, with the same filters as its page."
    return view


for _name in API_REPORTS:
    bp.route(f"/reports/{_name}", endpoint=f"report_{_name}")(report_view(_name))

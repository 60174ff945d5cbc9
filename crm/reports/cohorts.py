"""Cohorts: companies grouped by the month or quarter of their first contact, and how far each got.

First contact = the earliest transition of the company to "contacted" or any later forward stage
(a company that started at "meeting held" was contacted that day). Companies never contacted
are in no cohort. The period filter selects cohorts by the date of first contact; how far a
cohort got counts every transition up to today ("reached" as in crm/reports/sql.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, cast, extract, func, literal_column, select

from crm.extensions import db
from crm.labels import label
from crm.models import STAGES
from crm.models.organisation import OrgKind
from crm.models.report_rows import CompanyReach
from crm.pipeline.company_reach import EVERY_PROGRAMME
from crm.reports.filters import ReportFilters, in_period, organisation_conditions
from crm.reports.sql import copied_columns, reached
from crm.reports.tables import Column, Report, Table, percent

LATER_STAGES = STAGES[2:]  # meeting held … adopting, shown for each cohort


def first_contacts(f: ReportFilters) -> Any:
    """Return a CTE: per company, the date of first contact and the furthest position reached.

    Read from company_reach, which keeps both per company and programme key (maintained with every move):
    one row per company contacted, its report filters beside it.
    """
    cr = CompanyReach
    query = (
        select(cr.organisation_id.label("org_id"), cr.first_contact, cr.top)
        .where(cr.programme_key == (f.programme or EVERY_PROGRAMME), cr.kind == OrgKind.COMPANY)
        .where(cr.first_contact.is_not(None), *organisation_conditions(f, copied_columns(cr)))
    )
    return query.cte("first_contacts")


def const(value: int) -> Any:
    """Return an integer written into the SQL text."""
    return literal_column(str(int(value)), Integer)


def cohort_query(f: ReportFilters, bucket: str) -> Any:
    """Select per cohort (year, month or quarter): its size and how many reached each later stage."""
    firsts = first_contacts(replace(f, date_from=None, date_to=None))
    year = cast(extract("year", firsts.c.first_contact), Integer)
    month = cast(extract("month", firsts.c.first_contact), Integer)
    # Literal constants (not bind parameters) so PostgreSQL sees the same expression in GROUP BY.
    part = month if bucket == "month" else (month - const(1)) // const(3) + const(1)
    counts = [reached(firsts.c.top, stage) for stage in LATER_STAGES]
    return (
        select(year.label("year"), part.label("part"), func.count(), *counts)
        .where(firsts.c.first_contact.is_not(None), *in_period(firsts.c.first_contact, f))
        .group_by(year, part)
        .order_by(year, part)
    )


def cohort_name(year: int, part: int, bucket: str) -> str:
    """Return '2026-03' for a month or '2026 Q1' for a quarter."""
    return f"{year}-{part:02d}" if bucket == "month" else f"{year} Q{part}"


def cohort_table(f: ReportFilters, bucket: str) -> Table:
    """Build the cohort table: size, then reached (and share of the cohort) for each later stage."""
    rows = []
    for year, part, size, *counts in db.session.execute(cohort_query(f, bucket)):
        row: list[Any] = [cohort_name(year, part, bucket), size]
        for count in counts:
            row += [count, percent(count, size)]
        rows.append(row)
    columns = [
        Column("cohort", _("Cohort (first contact)"), "text"),
        Column("size", _("Companies contacted")),
    ]
    for stage in LATER_STAGES:
        columns += [Column(stage, label("stage", stage)), Column(f"{stage}_pct", _("Share of cohort"), "pct")]
    note = _("First contact: the first move to contacted or a later stage. Later moves all count.")
    return Table("cohorts", _("Cohorts by first contact"), columns, rows, note=note)


def build(f: ReportFilters, options: Mapping[str, str], locale: str, **_ignored: Any) -> Report:
    """Build the cohort report by month or quarter."""
    bucket = "month" if options.get("by") == "month" else "quarter"
    return Report("cohorts", _("Cohorts"), f, [cohort_table(f, bucket)], {"bucket": bucket})

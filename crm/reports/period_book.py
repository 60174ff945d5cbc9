"""A frozen period as one XLSX workbook: a sheet per report table as reported, then the About sheet."""

from __future__ import annotations

from typing import IO, Any

from flask_babel import format_datetime
from flask_babel import gettext as _

from crm.exports.about import about_sheet
from crm.exports.writer import unique_title, workbook_file
from crm.models import FrozenPeriod
from crm.reports import filters, services
from crm.reports.results import reported_table
from crm.reports.tables import Table


def frozen_tables(record: FrozenPeriod, locale: str) -> list[tuple[str, str, Table]]:
    """Return every frozen table with a sheet name and its full title: the indicators, then each report's."""
    indicators = reported_table(record, locale)
    found = [(_("Results framework"), str(indicators.title), indicators)]
    for report in services.frozen_figures(record).tables(locale):
        found += [(table.title, f"{report.title} · {table.title}", table) for table in report.tables]
    return found


def about_lines(record: FrozenPeriod, sheets: list[tuple[str, str]], locale: str) -> list[tuple[Any, Any]]:
    """Return the About sheet's lines: the period's dates, who froze it and when, what each sheet holds."""
    lines: list[tuple[Any, Any]] = filters.described(services.frozen_figures(record).filters, locale)
    lines.append((_("Frozen on"), format_datetime(record.frozen_at)))
    lines.append((_("Frozen by"), record.frozen_by.name if record.frozen_by else "—"))
    return lines + [(_("Sheet “%(name)s”", name=name), title) for name, title in sheets]


def workbook(record: FrozenPeriod, locale: str) -> IO[bytes]:
    """Return the frozen period as one workbook file: numbers as numbers, dates as dates, headings frozen."""
    taken: set[str] = set()
    named = [
        (unique_title(name, taken), title, table) for name, title, table in frozen_tables(record, locale)
    ]
    about = about_sheet(
        _("Reporting period %(period)s, frozen", period=record.period),
        about_lines(record, [(name, title) for name, title, _table in named], locale),
    )
    return workbook_file([(name, table.headers, table.all_rows()) for name, _title, table in named], about)

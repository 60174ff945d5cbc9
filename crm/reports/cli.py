"""`flask crm report funnel|sector|cofinance|indicators`: the reports' figures for scripts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from crm.clock import today
from crm.exports.writer import to_csv
from crm.reports import registry
from crm.reports.filters import ReportFilters, programme_by_code
from crm.reports.tables import Table
from crm.web import format_locale

report = AppGroup("report", help="Print a report's tables (CSV or an aligned text table).")
# The command names scripts use, and the report (and options) each one prints.
COMMANDS = {
    "funnel": ("funnel", {}),
    "sector": ("conversion", {"by": "sector"}),
    "cofinance": ("cofinance", {}),
    "indicators": ("indicators", {}),
}


def cell(value: Any) -> str:
    """Return a cell as plain text (ISO dates, decimals without exponent)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def text_table(table: Table) -> str:
    """Return a table aligned in columns, numbers to the right, under its title."""
    lines = [[cell(v) for v in row] for row in [table.headers, *table.all_rows()]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(table.headers))]
    numeric = [c.kind != "text" for c in table.columns]
    out = [table.title, "=" * len(table.title)]
    for line in lines:
        parts = [v.rjust(w) if n else v.ljust(w) for v, w, n in zip(line, widths, numeric, strict=True)]
        out.append("  ".join(parts).rstrip())
    return "\n".join(out)


def render(table: Table, fmt: str) -> str:
    """Return one table in the chosen format."""
    if fmt == "csv":
        return f"# {table.title}\n" + to_csv(table.headers, table.all_rows())
    return text_table(table) + "\n"


def options(command: Any) -> Any:
    """Add the options every report command takes."""
    command = click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True)(
        command
    )
    command = click.option("--period", help="Reporting period for indicators, e.g. 2026-S1.")(command)
    command = click.option("--programme", help="Programme code, e.g. ZIS-CALLAO (default: all).")(command)
    choice = click.Choice(["csv", "table"])
    return click.option("--format", "fmt", type=choice, default="table", show_default=True)(command)


def print_report(which: str, fmt: str, programme: str | None, period: str | None, lang: str) -> None:
    """Print a report's tables (the same figures as its page)."""
    programme_id = programme_by_code(programme)
    if programme and programme_id is None:
        raise click.ClickException(f"Unknown programme: {programme}")
    name, extra = COMMANDS[which]
    choices = {**extra, **({"period": period} if period else {})}
    with force_locale(format_locale(lang)):
        built = registry.build(name, ReportFilters(programme=programme_id), choices, lang, today())
        click.echo("\n".join(render(table, fmt) for table in built.tables), nl=False)


def add_command(which: str) -> None:
    """Register `flask crm report WHICH` (inside the app context, like every `flask crm` command)."""

    @report.command(which, help=f"Print the {which} report.")
    @options
    def command(**kwargs: Any) -> None:
        print_report(which, **kwargs)


for _which in COMMANDS:
    add_command(_which)

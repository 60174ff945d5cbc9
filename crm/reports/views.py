"""Report pages, their CSV/XLSX exports, freezing a period and editing indicator targets (also per period)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.clock import today
from crm.errors import UserError, form_error
from crm.exports.about import about_sheet
from crm.exports.download import FORMATS, attachment
from crm.exports.writer import to_csv, xlsx_file
from crm.extensions import db
from crm.models import FrozenPeriod, Indicator
from crm.pagination import page_number
from crm.permissions import can, get_or_404, require
from crm.reports import compare, filters, forms, indicator_admin, period_book, registry, services
from crm.reports.blueprint import bp
from crm.reports.filters import ReportFilters
from crm.reports.indicator_forms import PeriodTargetForm
from crm.reports.registry import REPORTS
from crm.reports.tables import Report
from crm.web import locale, page_size

PAGE_TEMPLATES = {"conversion": "reports/conversion.html", "cohorts": "reports/cohorts.html"}
PAGE_TEMPLATES["trends"] = "reports/trends.html"
# The query arguments a report understands (others are dropped from export links).
KEPT_ARGS = ("programme", "from", "to", "sector", "district", "association", "owner", "by", "sort", "period")


def build(name: str, page: int | None) -> tuple[Report, list[str]]:
    """Build a report from the request's filters and options."""
    found, problems = filters.parse_filters(request.args)
    report = registry.build(name, found, request.args, locale(), today(), page=page, per_page=page_size())
    return report, problems


@bp.context_processor
def report_context() -> dict[str, Any]:
    """Give report templates the menu, today's date, export arguments and the options to keep."""
    export_args = {k: v for k, v in request.args.items() if k in KEPT_ARGS}
    keep = {k: request.args.get(k) for k in ("by", "sort")}
    return {"reports_menu": REPORTS, "today": today(), "export_args": export_args, "keep": keep}


@bp.get("/")
@login_required
@require("report.view")
def index():
    """List the reports."""
    return render_template("reports/index.html", reports=REPORTS)


def show(name: str):
    """Show a report with its filters, charts, tables and export links."""
    report, problems = build(name, page_number("page"))
    return render_template(
        PAGE_TEMPLATES.get(name, "reports/report.html"),
        report=report,
        kind=REPORTS[name],
        used=REPORTS[name].filters,
        problems=problems,
        options=filters.options(locale()),
    )


def page_view(name: str) -> Any:
    """Return the view of one report's page (one endpoint per report, e.g. reports.funnel)."""

    @login_required
    @require("report.view")
    def view():
        return show(name)

    view.__name__ = view.__qualname__ = name
    view.__doc__ = f"Show the {name} report."
    return view


for _name in REPORTS:
    if _name != "indicators":
        bp.add_url_rule(f"/{_name}", endpoint=_name, view_func=page_view(_name))


@bp.get("/export/<name>/<table>.<fmt>")
@login_required
@require("report.view")
def export(name: str, table: str, fmt: str):
    """Download one table of a report (all its rows) as CSV or XLSX, with the page's filters."""
    if name not in REPORTS or fmt not in FORMATS:
        abort(404)
    if name == "indicators" and table == "period":
        return period_workbook(fmt)
    report, _problems = build(name, None)
    found = report.table(table)
    if found is None:
        abort(404)
    if fmt == "csv":
        body: Any = "\ufeff" + to_csv(found.headers, found.all_rows())  # the BOM makes Excel read UTF-8
    else:
        about = about_sheet(f"{report.title} · {found.title}", filters.described(report.filters, locale()))
        body = xlsx_file(found.headers, found.all_rows(), title=found.title, about=about)
    return attachment(body, f"{name}-{table}-{today().isoformat()}.{fmt}", fmt)


def period_workbook(fmt: str) -> Response:
    """Download a frozen period (?period=2025-S1) as one XLSX workbook, every report as reported."""
    record = services.frozen(request.args.get("period") or "")
    if record is None or fmt != "xlsx":
        abort(404)
    return attachment(period_book.workbook(record, locale()), f"period-{record.period}.xlsx", fmt)


def render_indicators(freeze_form: forms.FreezeForm | None = None, status: int = 200):
    """Render the results framework (live, or the period asked for)."""
    report = registry.build("indicators", ReportFilters(), request.args, locale(), today())
    period = report.extra["period"]
    finished = period if period and period < services.period_of(today()) else None
    form = freeze_form or forms.FreezeForm(
        formdata=None, data={"period": finished or services.last_finished_period(today())}
    )
    frozen = db.session.scalars(select(FrozenPeriod).order_by(FrozenPeriod.period.desc())).all()
    html = render_template(
        "reports/indicators.html",
        report=report,
        kind=REPORTS["indicators"],
        periods=services.recent_periods(today()),
        frozen_periods=frozen,
        freeze_form=form if can(current_user, "report.freeze") else None,
        indicators=report.extra["figures"],
        **frozen_context(report.extra["frozen"]),
    )
    return html, status


def frozen_context(record: FrozenPeriod | None) -> dict[str, Any]:
    """Return a frozen period's reports beside today's figures, and the filters they were frozen with."""
    if record is None:
        return {}
    figures = services.frozen_figures(record)
    return {
        "frozen_reports": compare.beside_live(figures, locale(), today()),
        "frozen_filters": figures.filters,
    }


@bp.get("/indicators")
@login_required
@require("report.view")
def indicators():
    """Show the results framework live, or as of a reporting period (frozen figures if frozen)."""
    return render_indicators()


@bp.post("/indicators/freeze")
@login_required
@require("report.freeze")
def freeze():
    """Freeze a reporting period's figures as reported to the funder."""
    form = forms.FreezeForm()
    if not form.validate_on_submit():
        return render_indicators(form, 400)
    try:
        services.freeze(form.period.data, current_user.id, today())
    except UserError as exc:
        form_error(form, exc)
        return render_indicators(form, 400)
    flash(_("The figures of %(period)s are frozen as reported.", period=form.period.data), "success")
    return redirect(url_for("reports.indicators", period=form.period.data))


def render_target(indicator: Indicator, form: Any = None, period_form: Any = None, status: int = 200):
    """Render an indicator's target page: the end-of-project target and the targets per period."""
    page = render_template(
        "reports/target.html",
        form=form or forms.TargetForm(formdata=None, obj=indicator),
        indicator=indicator,
        period_targets=indicator_admin.period_target_rows(indicator),
        period_form=period_form or PeriodTargetForm(formdata=None),
    )
    return page, status


@bp.route("/indicators/<int:indicator_id>/target", methods=["GET", "POST"])
@login_required
@require("indicator.edit")
def edit_target(indicator_id: int):
    """Edit an indicator's target (recorded in the change history)."""
    indicator = get_or_404(select(Indicator), indicator_id)
    form = forms.TargetForm(obj=indicator)
    if not form.validate_on_submit():
        return render_target(indicator, form, status=400 if form.is_submitted() else 200)
    if services.set_target(indicator, form.target.data):
        flash(_("Target of %(code)s saved.", code=indicator.code), "success")
    return redirect(url_for("reports.indicators"))

"""A manual indicator's page (its values per period, the form to enter one, the evidence), and the
targets per period of any indicator."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from crm import documents
from crm.clock import today
from crm.errors import UserError, form_error
from crm.models import Indicator, IndicatorEntry, IndicatorTarget
from crm.permissions import can, deny, get_or_404, require
from crm.reports import indicator_admin, services
from crm.reports.blueprint import bp
from crm.reports.custom_indicators import value
from crm.reports.indicator_forms import EntryForm, PeriodTargetForm
from crm.reports.views import render_target


def manual_or_404(indicator_id: int) -> Indicator:
    """Return a manual indicator, or deny."""
    indicator = get_or_404(select(Indicator), indicator_id)
    if indicator.kind != "manual":
        deny()
    return indicator


def child_or_404(model: Any, indicator: Indicator, row_id: int) -> Any:
    """Return an entry or period target of this indicator (another indicator's row is denied)."""
    return get_or_404(select(model).where(model.indicator_id == indicator.id), row_id)


def render_entries(indicator: Indicator, form: EntryForm, status: int = 200):
    """Render a manual indicator's entries and the form (for those who enter values)."""
    page = render_template(
        "reports/indicator_entries.html",
        indicator=indicator,
        entries=indicator_admin.entry_rows(indicator),
        form=form if can(current_user, "indicator.enter") else None,
        periods=services.recent_periods(today(), 6),
        live=value(indicator, today()),
        csrf=FlaskForm(),
    )
    return page, status


@bp.get("/indicators/<int:indicator_id>/entries")
@login_required
@require("report.view")
def indicator_entries(indicator_id: int):
    """Show a manual indicator's values per period, with their notes and evidence."""
    indicator = manual_or_404(indicator_id)
    form = EntryForm(formdata=None, data={"period": services.last_finished_period(today())})
    return render_entries(indicator, form)


@bp.post("/indicators/<int:indicator_id>/entries")
@login_required
@require("indicator.enter")
def indicator_entry_save(indicator_id: int):
    """Record a period's value (the period's earlier value is replaced, both kept in the history)."""
    indicator = manual_or_404(indicator_id)
    form = EntryForm()
    if not form.validate_on_submit():
        return render_entries(indicator, form, 400)
    try:
        entry, created = indicator_admin.save_entry(current_user, indicator, form.values(), today())
    except UserError as exc:
        form_error(form, exc)
        return render_entries(indicator, form, 400)
    message = _("Value of %(period)s recorded.") if created else _("Value of %(period)s updated.")
    flash(message % {"period": entry.period}, "success")
    return redirect(url_for("reports.indicator_entries", indicator_id=indicator.id))


@bp.post("/indicators/<int:indicator_id>/entries/<int:entry_id>/delete")
@login_required
@require("indicator.enter")
def indicator_entry_delete(indicator_id: int, entry_id: int):
    """Delete a period's value."""
    indicator = manual_or_404(indicator_id)
    entry = child_or_404(IndicatorEntry, indicator, entry_id)
    if FlaskForm().validate_on_submit():
        period = entry.period
        indicator_admin.delete_entry(entry)
        flash(_("Value of %(period)s deleted.", period=period), "success")
    return redirect(url_for("reports.indicator_entries", indicator_id=indicator.id))


@bp.get("/indicators/<int:indicator_id>/entries/<int:entry_id>/evidence")
@login_required
@require("report.view")
def indicator_entry_evidence(indicator_id: int, entry_id: int):
    """Send the evidence document of a period's value."""
    entry = child_or_404(IndicatorEntry, manual_or_404(indicator_id), entry_id)
    if entry.evidence is None:
        deny()
    return documents.send_document(entry.evidence)


# --- targets per period -----------------------------------------------------------------------------


def back_to_target(indicator: Indicator):
    """Return to the indicator's target page."""
    return redirect(url_for("reports.edit_target", indicator_id=indicator.id))


@bp.post("/indicators/<int:indicator_id>/targets")
@login_required
@require("indicator.edit")
def period_target_save(indicator_id: int):
    """Set an indicator's target for a reporting period."""
    indicator = get_or_404(select(Indicator), indicator_id)
    form = PeriodTargetForm()
    if form.validate_on_submit():
        try:
            row = indicator_admin.set_period_target(indicator, form.period.data, form.target.data)
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(
                _("Target of %(code)s for %(period)s saved.", code=indicator.code, period=row.period),
                "success",
            )
            return back_to_target(indicator)
    return render_target(indicator, period_form=form, status=400)


@bp.post("/indicators/<int:indicator_id>/targets/<int:target_id>/delete")
@login_required
@require("indicator.edit")
def period_target_delete(indicator_id: int, target_id: int):
    """Remove a period's target (the end-of-project target applies to that period again)."""
    indicator = get_or_404(select(Indicator), indicator_id)
    row = child_or_404(IndicatorTarget, indicator, target_id)
    if FlaskForm().validate_on_submit():
        period = row.period
        indicator_admin.delete_period_target(row)
        flash(_("Target of %(code)s for %(period)s removed.", code=indicator.code, period=period), "success")
    return back_to_target(indicator)

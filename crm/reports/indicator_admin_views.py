"""The indicators' administration: the list, adding one (from the catalogue or manual), editing,
deactivating and deleting what administrators added."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from crm.errors import UserError, discard_work, form_error
from crm.models import Indicator
from crm.permissions import get_or_404, require
from crm.reports import catalogue, indicator_admin
from crm.reports.blueprint import bp
from crm.reports.indicator_forms import IndicatorForm
from crm.reports.indicators import indicators


@bp.get("/indicators/admin")
@login_required
@require("indicator.enter")
def indicator_admin_list():
    """List the indicators: how each is counted, its unit and target; links to add, edit and enter values."""
    every = indicators(include_inactive=True)
    rows = [(i, catalogue.describe(i.measure, i.params) if i.kind == "computed" else "") for i in every]
    return render_template("reports/indicator_admin.html", rows=rows, csrf=FlaskForm())


def chosen() -> tuple[str | None, catalogue.Measure | None]:
    """Return the kind and measure the add page was opened for (?kind=manual or ?measure=letters)."""
    if request.args.get("kind") == "manual":
        return "manual", None
    measure = catalogue.CATALOGUE.get(request.args.get("measure") or "")
    return ("computed", measure) if measure else (None, None)


@bp.route("/indicators/admin/new", methods=["GET", "POST"])
@login_required
@require("indicator.define")
def indicator_new():
    """Choose the kind of indicator (and its measure), then describe it; only that measure's fields show."""
    kind, measure = chosen()
    if kind is None:
        return render_template("reports/indicator_choose.html", catalogue=catalogue.CATALOGUE)
    form = IndicatorForm()
    form.set_choices(measure)
    if request.method == "GET":
        form.unit.data = measure.unit if measure else "documents"
    elif form.validate_on_submit():
        try:
            indicator = indicator_admin.create_indicator(current_user, form.values(kind, measure))
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(_("Indicator %(code)s added.", code=indicator.code), "success")
            return redirect(url_for("reports.indicator_admin_list"))
    status = 400 if form.errors or form.form_errors else 200
    page = render_template(
        "reports/indicator_form.html", form=form, kind=kind, measure=measure, indicator=None
    )
    return page, status


def fill(form: IndicatorForm, indicator: Indicator, measure: catalogue.Measure | None) -> None:
    """Put the indicator's stored values into the form."""
    form.process(obj=indicator)
    form.set_choices(measure)
    form.target.data = "" if indicator.target is None else format(indicator.target.normalize(), "f")
    for param in measure.params if measure else ():
        getattr(form, param.key).data = (indicator.params or {}).get(param.key)


@bp.route("/indicators/admin/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
@require("indicator.define")
def indicator_edit(indicator_id: int):
    """Change an indicator's names, unit, position and target (a custom one's parameters too)."""
    indicator = get_or_404(select(Indicator), indicator_id)
    measure = catalogue.CATALOGUE.get(indicator.measure or "")
    form = IndicatorForm()
    if request.method == "GET":
        fill(form, indicator, measure)
    else:
        form.set_choices(measure)
        form.code.data = indicator.code  # the code names the indicator in frozen periods: never changed
    if request.method == "POST" and form.validate_on_submit():
        try:
            changed = indicator_admin.update_indicator(indicator, form.values(indicator.kind, measure))
        except UserError as exc:
            form_error(form, exc)
        else:
            if changed:
                flash(_("Indicator %(code)s saved.", code=indicator.code), "success")
            return redirect(url_for("reports.indicator_admin_list"))
    status = 400 if form.errors or form.form_errors else 200
    page = render_template(
        "reports/indicator_form.html", form=form, kind=indicator.kind, measure=measure, indicator=indicator
    )
    return page, status


def act(indicator_id: int, action, done: str):
    """Run a change on an indicator from a button (CSRF-checked); flash what happened or why not."""
    indicator = get_or_404(select(Indicator), indicator_id)
    code = indicator.code
    if FlaskForm().validate_on_submit():
        try:
            action(indicator)
        except UserError as exc:
            discard_work()
            flash(exc.message, "error")
        else:
            flash(done % {"code": code}, "success")
    return redirect(url_for("reports.indicator_admin_list"))


@bp.post("/indicators/admin/<int:indicator_id>/delete")
@login_required
@require("indicator.define")
def indicator_delete(indicator_id: int):
    """Delete an indicator an administrator added, if no frozen period reports it."""
    return act(indicator_id, indicator_admin.delete_indicator, _("Indicator %(code)s deleted."))


@bp.post("/indicators/admin/<int:indicator_id>/deactivate")
@login_required
@require("indicator.define")
def indicator_deactivate(indicator_id: int):
    """Hide an added indicator from the live table and future freezes (frozen periods keep it)."""
    hide = lambda indicator: indicator_admin.set_active(indicator, False)  # noqa: E731
    return act(indicator_id, hide, _("Indicator %(code)s deactivated."))


@bp.post("/indicators/admin/<int:indicator_id>/activate")
@login_required
@require("indicator.define")
def indicator_activate(indicator_id: int):
    """Show a deactivated indicator again."""
    show = lambda indicator: indicator_admin.set_active(indicator, True)  # noqa: E731
    return act(indicator_id, show, _("Indicator %(code)s activated again."))

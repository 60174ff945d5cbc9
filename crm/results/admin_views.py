"""Administration of the results' reference data: emission factor versions and the measures list."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.errors import UserError, form_error
from crm.models import Measure
from crm.permissions import get_or_404, require
from crm.results import services
from crm.results.blueprint import bp
from crm.results.forms import FactorForm, MeasureForm


@bp.get("/admin/factors")
@login_required
@require("reference.admin")
def admin_factors():
    """List every emission factor version, the current one first for each energy."""
    return render_template(
        "results/admin/factors.html", factors=services.factor_history(), current=services.current_factors()
    )


@bp.route("/admin/factors/new", methods=["GET", "POST"])
@login_required
@require("reference.admin")
def admin_factor_new():
    """Add a new version of a factor; results recorded before keep the version they used."""
    form = FactorForm()
    form.set_choices()
    if request.method == "GET":
        form.carrier.data = request.args.get("carrier")
    elif form.validate_on_submit():
        values = (form.carrier.data, form.value.data, form.source.data, form.year.data)
        try:
            services.add_factor_version(current_user, *values)
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(_("New factor version saved."), "success")
            return redirect(url_for("results.admin_factors"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("results/admin/factor_form.html", form=form), status


@bp.get("/admin/measures")
@login_required
@require("reference.admin")
def admin_measures():
    """List the measures a company can adopt."""
    return render_template("results/admin/measures.html", rows=services.measure_rows())


def edit_measure(measure: Measure | None):
    """Validate and save the measure form."""
    form = MeasureForm(obj=measure)
    if form.validate_on_submit():
        values = (form.code.data, form.name_es.data, form.name_en.data, bool(form.active.data))
        try:
            services.save_measure(measure, *values)
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("results.admin_measures"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("results/admin/measure_form.html", form=form, row=measure), status


@bp.route("/admin/measures/new", methods=["GET", "POST"])
@login_required
@require("reference.admin")
def admin_measure_new():
    """Add a measure to the list."""
    return edit_measure(None)


@bp.route("/admin/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@login_required
@require("reference.admin")
def admin_measure_edit(measure_id: int):
    """Change a measure (results naming it follow)."""
    return edit_measure(get_or_404(select(Measure), measure_id))

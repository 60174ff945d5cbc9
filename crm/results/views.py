"""Views of the results feature: a company's results and baseline, the result form, its evidence."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from crm import documents
from crm.errors import UserError, form_error
from crm.extensions import db
from crm.labels import options
from crm.models import Measure, MeasureResult, Programme
from crm.models.organisation import OrgKind
from crm.permissions import deny, get_or_404, require, visible_organisations
from crm.results import queries, services
from crm.results.blueprint import bp
from crm.results.forms import BaselineForm, ResultForm
from crm.web import locale, to_id


def company_or_404(org_id: int):
    """Return a company the user may see, or deny."""
    org = get_or_404(visible_organisations(current_user), org_id)
    if org.kind != OrgKind.COMPANY:
        deny()
    return org


def result_or_404(result_id: int) -> MeasureResult:
    """Return a result of a company the user may see, or deny."""
    result = get_or_404(select(MeasureResult), result_id)
    company_or_404(result.organisation_id)
    return result


def programmes() -> list[Programme]:
    """Return the programmes, by name."""
    return list(db.session.scalars(select(Programme).order_by(Programme.name_es)))


def measures(keep_id: int | None = None) -> list[Measure]:
    """Return the active measures (and the one a result already names)."""
    query = (
        select(Measure).where((Measure.active.is_(True)) | (Measure.id == keep_id)).order_by(Measure.name_es)
    )
    return list(db.session.scalars(query))


@bp.get("/organisations/<int:org_id>")
@login_required
@require("result.view")
def company(org_id: int):
    """Show a company's baselines and results, each status apart (the read is recorded)."""
    org = company_or_404(org_id)
    services.log_reads([org.id])  # the totals by status are aggregates; the rows record themselves
    return render_template(
        "results/company.html",
        org=org,
        baselines=services.org_baselines(org.id),
        results=services.org_results(org.id),
        achieved=queries.by_status("achieved", organisation_id=org.id),
        expected=queries.totals("expected", organisation_id=org.id),
        csrf_form=FlaskForm(),
    )


def render_result_form(form: ResultForm, org, result: MeasureResult | None):
    """Render the result form; 400 when the submission had errors."""
    status = 400 if form.errors or form.form_errors else 200
    return render_template("results/form.html", form=form, org=org, result=result), status


def save(form: ResultForm, org, result: MeasureResult | None):
    """Validate and save the result form, then go back to the company's results."""
    form.set_choices(programmes(), measures(result.measure_id if result else None), locale())
    if not form.validate_on_submit():
        return render_result_form(form, org, result)
    try:
        services.save_result(current_user, org, result, form.values())
    except UserError as exc:
        form_error(form, exc)
        return render_result_form(form, org, result)
    flash(_("Result saved."), "success")
    return redirect(url_for("results.company", org_id=org.id))


@bp.route("/organisations/<int:org_id>/new", methods=["GET", "POST"])
@login_required
@require("result.edit")
def new(org_id: int):
    """Record a measure adopted by a company and its reductions."""
    org = company_or_404(org_id)
    form = ResultForm()
    if request.method == "GET":
        form.programme_id.data = to_id(request.args.get("programme_id"))
    return save(form, org, None)


@bp.route("/<int:result_id>/edit", methods=["GET", "POST"])
@login_required
@require("result.edit")
def edit(result_id: int):
    """Change a result (its lines keep the factor versions they were computed with)."""
    result = result_or_404(result_id)
    org = company_or_404(result.organisation_id)
    form = ResultForm(obj=result)
    if request.method == "GET":
        form.fill(result)
    return save(form, org, result)


@bp.post("/<int:result_id>/delete")
@login_required
@require("result.edit")
def delete(result_id: int):
    """Delete a result."""
    result = result_or_404(result_id)
    org_id = result.organisation_id
    if FlaskForm().validate_on_submit():
        services.delete_result(result)
        flash(_("Result deleted."), "success")
    return redirect(url_for("results.company", org_id=org_id))


@bp.get("/<int:result_id>/evidence")
@login_required
@require("result.view")
def evidence(result_id: int):
    """Send a result's evidence document (the read is recorded)."""
    result = result_or_404(result_id)
    if result.evidence is None:
        deny()
    return documents.send_document(result.evidence)


@bp.route("/organisations/<int:org_id>/baseline", methods=["GET", "POST"])
@login_required
@require("result.edit")
def baseline(org_id: int):
    """Record a company's baseline for a programme."""
    org = company_or_404(org_id)
    form = BaselineForm()
    form.programme_id.choices = options([(p.id, p.name(locale())) for p in programmes()])
    if request.method == "GET":
        fill_baseline(form, org.id, to_id(request.args.get("programme_id")))
    elif form.validate_on_submit():
        try:
            services.save_baseline(
                org, form.programme_id.data or 0, form.year.data, form.amounts(), form.notes.data
            )
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(_("Baseline saved."), "success")
            return redirect(url_for("results.company", org_id=org.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("results/baseline.html", form=form, org=org), status


def fill_baseline(form: BaselineForm, org_id: int, programme_id: int | None) -> None:
    """Show the stored baseline of the programme asked for (or of the first one)."""
    stored = [b for b in services.org_baselines(org_id) if programme_id in (None, b.programme_id)]
    if stored:
        form.fill(stored[0])
    elif programme_id:
        form.programme_id.data = programme_id

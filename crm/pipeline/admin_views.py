"""Administration of the pipeline's reference lists: programmes and barriers."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from crm.errors import UserError, discard_work
from crm.models import Barrier, Programme
from crm.permissions import get_or_404, require
from crm.pipeline import admin
from crm.pipeline.blueprint import bp
from crm.pipeline.forms import BarrierForm, CsrfForm, ProgrammeForm, show_error


def values_of(form: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """Return the submitted values of the named fields."""
    return {key: form[key].data for key in fields}


def render_form(template: str, form: Any, row: Any, status: int):
    """Render a create/edit form."""
    return render_template(template, form=form, row=row), status


def edit_row(kind: str, row: Any) -> Any:
    """Validate and save a programme or barrier form; return a response."""
    form_class, template, saver, fields = {
        "programme": (
            ProgrammeForm,
            "pipeline/admin/programme_form.html",
            admin.save_programme,
            admin.PROGRAMME_FIELDS,
        ),
        "barrier": (
            BarrierForm,
            "pipeline/admin/barrier_form.html",
            admin.save_barrier,
            admin.BARRIER_FIELDS,
        ),
    }[kind]
    form = form_class(obj=row)
    if not form.validate_on_submit():
        return render_form(template, form, row, 400 if form.is_submitted() else 200)
    try:
        saver(row, values_of(form, fields))
    except UserError as exc:
        discard_work()
        show_error(form, exc.message, exc.field, "code")
        return render_form(template, form, row, 422)
    flash(_("Changes saved."), "success")
    return redirect(url_for(f"pipeline.admin_{kind}s"))


@bp.get("/admin/programmes")
@login_required
@require("reference.admin")
def admin_programmes():
    """List the programmes with their number of engagements."""
    return render_template("pipeline/admin/programmes.html", rows=admin.programmes_with_counts())


@bp.route("/admin/programmes/new", methods=["GET", "POST"])
@login_required
@require("reference.admin")
def admin_programme_new():
    """Create a programme."""
    return edit_row("programme", None)


@bp.route("/admin/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
@require("reference.admin")
def admin_programme_edit(programme_id: int):
    """Edit a programme (deactivating it stops new engagements)."""
    return edit_row("programme", get_or_404(select(Programme), programme_id))


@bp.get("/admin/barriers")
@login_required
@require("reference.admin")
def admin_barriers():
    """List the barriers with the number of exits citing each."""
    rows = admin.barriers_with_counts()
    return render_template("pipeline/admin/barriers.html", rows=rows, csrf_form=CsrfForm())


@bp.route("/admin/barriers/new", methods=["GET", "POST"])
@login_required
@require("reference.admin")
def admin_barrier_new():
    """Create a barrier."""
    return edit_row("barrier", None)


@bp.route("/admin/barriers/<int:barrier_id>/edit", methods=["GET", "POST"])
@login_required
@require("reference.admin")
def admin_barrier_edit(barrier_id: int):
    """Edit a barrier."""
    return edit_row("barrier", get_or_404(select(Barrier), barrier_id))


def toggle_barrier(barrier_id: int, active: bool):
    """Activate or deactivate a barrier and go back to the list."""
    barrier = get_or_404(select(Barrier), barrier_id)
    if CsrfForm().validate_on_submit():
        admin.set_barrier_active(barrier, active)
        message = _("The reason is offered again.") if active else _("The reason is no longer offered.")
        flash(message, "success")
    return redirect(url_for("pipeline.admin_barriers"))


@bp.post("/admin/barriers/<int:barrier_id>/deactivate")
@login_required
@require("reference.admin")
def admin_barrier_deactivate(barrier_id: int):
    """Stop offering a barrier; exits that cite it keep it."""
    return toggle_barrier(barrier_id, False)


@bp.post("/admin/barriers/<int:barrier_id>/activate")
@login_required
@require("reference.admin")
def admin_barrier_activate(barrier_id: int):
    """Offer a deactivated barrier again."""
    return toggle_barrier(barrier_id, True)

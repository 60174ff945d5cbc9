"""Administration of the training modules' reference list."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from crm.errors import UserError, discard_work
from crm.models import TrainingModule
from crm.permissions import get_or_404, require
from crm.pipeline.forms import CsrfForm, show_error
from crm.training import services
from crm.training.blueprint import bp
from crm.training.forms import ModuleForm

TEMPLATE = "training/module_form.html"


def edit_module(module: TrainingModule | None):
    """Validate and save the module form; return a response."""
    form = ModuleForm(obj=module)
    if not form.validate_on_submit():
        return render_template(TEMPLATE, form=form, row=module), 400 if form.is_submitted() else 200
    try:
        services.save_module(module, {key: form[key].data for key in services.MODULE_FIELDS})
    except UserError as exc:
        discard_work()
        show_error(form, exc.message, exc.field, "code")
        return render_template(TEMPLATE, form=form, row=module), 422
    flash(_("Changes saved."), "success")
    return redirect(url_for("training.admin_modules"))


@bp.get("/admin/modules")
@login_required
@require("reference.admin")
def admin_modules():
    """List the modules with the number of events that delivered each."""
    rows = services.modules_with_counts()
    return render_template("training/modules.html", rows=rows, csrf_form=CsrfForm())


@bp.route("/admin/modules/new", methods=["GET", "POST"])
@login_required
@require("reference.admin")
def admin_module_new():
    """Create a module."""
    return edit_module(None)


@bp.route("/admin/modules/<int:module_id>/edit", methods=["GET", "POST"])
@login_required
@require("reference.admin")
def admin_module_edit(module_id: int):
    """Edit a module (deactivating it stops offering it on the event form)."""
    return edit_module(get_or_404(select(TrainingModule), module_id))


@bp.post("/admin/modules/<int:module_id>/active")
@login_required
@require("reference.admin")
def admin_module_toggle(module_id: int):
    """Stop offering an active module, or offer an inactive one again."""
    module = get_or_404(select(TrainingModule), module_id)
    if CsrfForm().validate_on_submit():
        services.set_active(module, not module.active)
        message = (
            _("The module is offered again.") if module.active else _("The module is no longer offered.")
        )
        flash(message, "success")
    return redirect(url_for("training.admin_modules"))

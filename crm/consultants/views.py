"""Views of the consultants registry: the list, an entry's page, its form, status, publication, evidence."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from crm import documents
from crm.consultants import services
from crm.consultants.blueprint import bp
from crm.consultants.forms import AssignmentForm, ConsultantForm, FilterForm, StatusForm
from crm.errors import UserError, discard_work, form_error
from crm.labels import label, options
from crm.models import Consultant
from crm.pagination import paginate
from crm.permissions import can, deny, get_or_404, require
from crm.web import page_size


def consultant_or_404(consultant_id: int) -> Consultant:
    """Return an entry the user may see (the public part: published and qualified), or deny."""
    return get_or_404(services.visible_consultants(current_user), consultant_id)


def require_registry() -> None:
    """Deny users who see only the public part while nothing is published."""
    if not services.sees_everything(current_user) and not services.anything_published():
        deny()


@bp.get("/")
@login_required
@require("consultant.public")
def index():
    """List the registry, filtered by specialism, region and status, sorted by name."""
    require_registry()
    form = FilterForm(formdata=request.args)
    form.region.choices = options([("", _("All"))] + [(r, r) for r in services.regions()])
    sort = request.args.get("sort", "name")
    filters = form.filters(sort)
    page = paginate(services.registry_query(current_user, filters), page_size())
    full = services.sees_everything(current_user)
    return render_template("consultants/index.html", form=form, page=page, sort=filters.sort, full=full)


@bp.get("/<int:consultant_id>")
@login_required
@require("consultant.public")
def detail(consultant_id: int):
    """Show an entry: its public part, or everything with its assignments to the technical team."""
    consultant = consultant_or_404(consultant_id)
    if not services.sees_everything(current_user):
        return render_template("consultants/public.html", consultant=consultant)
    status_form = StatusForm()
    status_form.status.choices = options(
        [(s.value, label("consultant_status", s)) for s in services.NEXT_STATUSES[consultant.status]]
    )
    assign_form = AssignmentForm()
    assign_form.engagement_id.choices = options(
        [("", "—")] + [(e.id, engagement_label(e)) for e in services.engagements_for_choice()]
    )
    return render_template(
        "consultants/detail.html",
        consultant=consultant,
        status_form=status_form,
        assign_form=assign_form,
        csrf_form=FlaskForm(),
        entries=services.history(consultant.id) if can(current_user, "history.view") else None,
    )


def engagement_label(engagement) -> str:
    """Return a company and programme, for a select."""
    return f"{engagement.organisation.legal_name} · {engagement.programme.name_es}"


def render_form(form: ConsultantForm, consultant: Consultant | None):
    """Render the entry form; 400 when the submission had errors."""
    status = 400 if form.errors or form.form_errors else 200
    return render_template("consultants/form.html", form=form, consultant=consultant), status


def save(form: ConsultantForm, consultant: Consultant | None):
    """Validate and save the entry form, then show the entry."""
    contacts = services.unregistered_contacts() if consultant is None else []
    form.set_choices(contacts, services.regions())
    if not form.validate_on_submit():
        return render_form(form, consultant)
    try:
        if consultant is None:
            consultant = services.create(current_user, form.contact_id.data, form.values())
        else:
            services.update(current_user, consultant, form.values())
    except UserError as exc:
        form_error(form, exc)
        return render_form(form, None if consultant is None or consultant.id is None else consultant)
    flash(_("Consultant saved."), "success")
    return redirect(url_for("consultants.detail", consultant_id=consultant.id))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("consultant.edit")
def new():
    """Register a contact in the registry."""
    form = ConsultantForm()
    if request.method == "GET":
        form.contact_id.data = request.args.get("contact_id", type=int)
    return save(form, None)


@bp.route("/<int:consultant_id>/edit", methods=["GET", "POST"])
@login_required
@require("consultant.edit")
def edit(consultant_id: int):
    """Change an entry's specialisms, region, qualification date, evidence and notes."""
    consultant = consultant_or_404(consultant_id)
    form = ConsultantForm(obj=consultant)
    if request.method == "GET":
        form.specialisms.data = consultant.specialism_list
        form.region.data = consultant.region or ""
    return save(form, consultant)


def back(consultant: Consultant, message: str, category: str = "success"):
    """Say what happened and go back to the entry's page."""
    if category != "success":
        discard_work()  # the answer is a redirect, which would otherwise commit
    flash(message, category)
    return redirect(url_for("consultants.detail", consultant_id=consultant.id))


@bp.post("/<int:consultant_id>/status")
@login_required
@require("consultant.edit")
def change_status(consultant_id: int):
    """Move an entry to its next status, reached on a day."""
    consultant = consultant_or_404(consultant_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return back(consultant, _("Enter the date (YYYY-MM-DD)."), "warning")
    try:
        services.change_status(consultant, form.status.data or "", form.on.data)
    except UserError as exc:
        return back(consultant, exc.message, "warning")
    return back(consultant, _("Status changed."))


@bp.post("/<int:consultant_id>/publish")
@login_required
@require("consultant.publish")
def publish(consultant_id: int):
    """Show or hide the entry's public part to liaisons and viewers."""
    consultant = consultant_or_404(consultant_id)
    if FlaskForm().validate_on_submit():
        services.set_published(consultant, request.form.get("published") == "1")
        return back(consultant, _("Publication changed."))
    return back(consultant, _("The form expired: try again."), "warning")


@bp.get("/<int:consultant_id>/evidence")
@login_required
@require("consultant.view")
def evidence(consultant_id: int):
    """Send an entry's qualification evidence."""
    consultant = consultant_or_404(consultant_id)
    if consultant.evidence is None:
        deny()
    return documents.send_document(consultant.evidence)

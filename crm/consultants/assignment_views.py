"""Views assigning consultants to companies' engagements, from the consultant's or the company's page."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from crm.consultants import services
from crm.consultants.blueprint import bp
from crm.consultants.forms import AssignmentForm
from crm.errors import UserError, discard_work
from crm.extensions import db
from crm.models import Consultant, ConsultantAssignment, Engagement
from crm.models.organisation import OrgKind
from crm.permissions import deny, get_or_404, require, visible_organisations


def save_assignment(form: AssignmentForm, consultant, engagement, back_to: str):
    """Validate and record an assignment, then go back where the form was."""
    try:
        if not form.validate_on_submit():
            raise UserError(first_error(form))
        services.assign(consultant, engagement, form.role.data, form.started_on.data, form.ended_on.data)
    except UserError as exc:
        discard_work()  # the answer is a redirect, which would otherwise commit
        flash(exc.message, "warning")
        return redirect(back_to)
    flash(_("Consultant assigned."), "success")
    return redirect(back_to)


def first_error(form: AssignmentForm) -> str:
    """Return the first message of a refused assignment form."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("Check the assignment and try again.")


def engagement_or_none(engagement_id: int | None) -> Engagement | None:
    """Return an engagement by id, or None."""
    if engagement_id is None:
        return None
    return db.session.get(Engagement, engagement_id)


@bp.post("/<int:consultant_id>/assign")
@login_required
@require("consultant.edit")
def assign(consultant_id: int):
    """Assign the consultant to a company's programme, from the consultant's page."""
    consultant = get_or_404(services.visible_consultants(current_user), consultant_id)
    form = AssignmentForm()
    engagement = engagement_or_none(form.engagement_id.data)
    back_to = url_for("consultants.detail", consultant_id=consultant.id) + "#assignments"
    return save_assignment(form, consultant, engagement, back_to)


@bp.post("/organisations/<int:org_id>/assign")
@login_required
@require("consultant.edit")
def assign_to_org(org_id: int):
    """Assign a consultant to one of the company's programmes, from the organisation's page."""
    org = get_or_404(visible_organisations(current_user), org_id)
    if org.kind != OrgKind.COMPANY:
        deny()
    form = AssignmentForm()
    back_to = url_for("organisations.detail", org_id=org.id) + "#consultants"
    engagement = engagement_or_none(form.engagement_id.data)
    if engagement is not None and engagement.organisation_id != org.id:
        engagement = None
    consultant = db.session.get(Consultant, form.consultant_id.data) if form.consultant_id.data else None
    if consultant is None:
        discard_work()
        flash(_("Choose a consultant."), "warning")
        return redirect(back_to)
    return save_assignment(form, consultant, engagement, back_to)


@bp.post("/assignments/<int:assignment_id>/delete")
@login_required
@require("consultant.edit")
def unassign(assignment_id: int):
    """Remove an assignment, then go back to the consultant's page."""
    assignment = get_or_404(select(ConsultantAssignment), assignment_id)
    consultant_id = assignment.consultant_id
    if FlaskForm().validate_on_submit():
        services.unassign(assignment)
        flash(_("Assignment removed."), "success")
    return redirect(url_for("consultants.detail", consultant_id=consultant_id) + "#assignments")

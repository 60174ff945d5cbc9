"""Membership buttons on the organisation pages: add, edit, mark reviewed, remove (all POST)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from crm.clock import today
from crm.errors import UserError, discard_work
from crm.models import Membership
from crm.organisations import forms, memberships
from crm.organisations.blueprint import bp
from crm.permissions import get_or_404, require, visible_memberships, visible_organisations


def back_to(org_id: int):
    """Redirect to an organisation page's membership section."""
    return redirect(url_for("organisations.detail", org_id=org_id) + "#memberships")


def flash_errors(form: FlaskForm) -> None:
    """Flash each field error with its label (the row forms have no room for messages)."""
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def refuse(exc: UserError) -> None:
    """Flash a service's refusal; the redirect that follows must not save anything."""
    discard_work()
    flash(exc.message, "error")


def scoped_membership(membership_id: int) -> Membership:
    """Return a membership the user may see, or deny."""
    return get_or_404(visible_memberships(current_user), membership_id)


@bp.route("/<int:org_id>/memberships", methods=["POST"])
@login_required
@require("membership.edit")
def add_membership(org_id: int):
    """Add the company to a business association."""
    company = get_or_404(visible_organisations(current_user), org_id)
    form = forms.MembershipAddForm()
    forms.fill_association_choices(form, memberships.associations(current_user))
    if not form.validate_on_submit():
        flash_errors(form)
        return back_to(org_id)
    try:
        memberships.add_membership(
            current_user, company, form.association_id.data, form.status.data, form.since.data, today()
        )
    except UserError as exc:
        refuse(exc)
        return back_to(org_id)
    flash(_("Membership added."), "success")
    return back_to(org_id)


@bp.route("/memberships/<int:membership_id>/edit", methods=["POST"])
@login_required
@require("membership.edit")
def edit_membership(membership_id: int):
    """Change a membership's status and start date."""
    membership = scoped_membership(membership_id)
    form = forms.MembershipEditForm()
    target = forms.back_target(membership, form.back.data)
    if not form.validate_on_submit():
        flash_errors(form)
        return back_to(target)
    try:
        memberships.update_membership(membership, form.status.data, form.since.data, today())
    except UserError as exc:
        refuse(exc)
        return back_to(target)
    flash(_("Membership updated."), "success")
    return back_to(target)


@bp.route("/memberships/<int:membership_id>/review", methods=["POST"])
@login_required
@require("membership.edit")
def review_membership(membership_id: int):
    """Record that the membership was checked and is current."""
    membership = scoped_membership(membership_id)
    form = forms.MembershipActionForm()
    target = forms.back_target(membership, form.back.data)
    if form.validate_on_submit():
        memberships.mark_reviewed(membership, current_user)
        flash(_("Membership marked as reviewed."), "success")
    return back_to(target)


@bp.route("/memberships/<int:membership_id>/delete", methods=["POST"])
@login_required
@require("membership.edit")
def remove_membership(membership_id: int):
    """Remove a membership."""
    membership = scoped_membership(membership_id)
    form = forms.MembershipActionForm()
    target = forms.back_target(membership, form.back.data)
    if form.validate_on_submit():
        memberships.remove_membership(membership)
        flash(_("Membership removed."), "success")
    return back_to(target)

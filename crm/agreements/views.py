"""Views of the agreements: the list, an agreement's page, its form, its parties and its document."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm import documents
from crm.agreements import services
from crm.agreements.blueprint import bp
from crm.agreements.forms import AgreementForm, PartyForm
from crm.errors import UserError, discard_work, form_error
from crm.models import Agreement, AgreementParty
from crm.organisations import picker
from crm.pagination import page_number
from crm.permissions import can, deny, get_or_404, require
from crm.web import page_size


def agreement_or_404(agreement_id: int) -> Agreement:
    """Return the agreement, or deny."""
    return get_or_404(select(Agreement), agreement_id)


def to_detail(
    agreement_id: int, message: str | None = None, category: str = "success", party_q: str | None = None
):
    """Say what happened (nothing is saved after a refusal) and go to the agreement's page.

    party_q: after a party was added, refused or removed, the search to show again at the parties.
    """
    if message:
        if category != "success":
            discard_work()
        flash(message, category)
    url = url_for("agreements.detail", agreement_id=agreement_id, party_q=party_q or None)
    return redirect(url + ("#parties" if party_q is not None else ""))


@bp.get("/")
@login_required
@require("agreement.view")
def index():
    """List the agreements, newest signature first, with their number of parties."""
    page = services.agreement_page(page_size(), page_number())
    return render_template("agreements/index.html", page=page)


@bp.get("/<int:agreement_id>")
@login_required
@require("agreement.view")
def detail(agreement_id: int):
    """Show an agreement with its parties."""
    agreement = agreement_or_404(agreement_id)
    editable = can(current_user, "agreement.edit")
    found = picker.matches(current_user, request.args.get("party_q")) if editable else None
    form = PartyForm(party_q=found.term) if editable and found else None
    return render_template("agreements/detail.html", agreement=agreement, party_form=form, matches=found)


def render_form(form: AgreementForm, agreement: Agreement | None):
    """Render the agreement form; 400 when the submission had errors."""
    status = 400 if form.errors or form.form_errors else 200
    return render_template("agreements/form.html", form=form, agreement=agreement), status


def save(form: AgreementForm, agreement: Agreement | None):
    """Validate and save the agreement form, then show the agreement."""
    if not form.validate_on_submit():
        return render_form(form, agreement)
    try:
        saved = services.save_agreement(current_user, agreement, form.values())
    except UserError as exc:
        form_error(form, exc)
        return render_form(form, agreement)
    return to_detail(saved.id, _("Agreement saved."))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("agreement.edit")
def new():
    """Record an agreement."""
    return save(AgreementForm(), None)


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
@login_required
@require("agreement.edit")
def edit(agreement_id: int):
    """Change an agreement."""
    agreement = agreement_or_404(agreement_id)
    return save(AgreementForm(obj=agreement), agreement)


@bp.post("/<int:agreement_id>/delete")
@login_required
@require("agreement.edit")
def delete(agreement_id: int):
    """Delete an agreement with its parties."""
    services.delete_agreement(agreement_or_404(agreement_id))
    flash(_("Agreement deleted."), "success")
    return redirect(url_for("agreements.index"))


@bp.post("/<int:agreement_id>/parties")
@login_required
@require("agreement.edit")
def add_party(agreement_id: int):
    """Add the organisation chosen among a search's matches as a party in a role."""
    agreement = agreement_or_404(agreement_id)
    form = PartyForm()
    term = (form.party_q.data or "")[:200]
    if not form.validate_on_submit():
        message = next(iter(e for errors in form.errors.values() for e in errors), "")
        return to_detail(agreement.id, str(message), "error", term)
    try:
        org = picker.chosen(current_user, form.organisation_id.data)
        services.add_party(agreement, org, form.role.data)
    except UserError as exc:
        return to_detail(agreement.id, exc.message, "error", term)
    return to_detail(
        agreement.id, _("%(name)s is now a party to the agreement.", name=org.legal_name), party_q=""
    )


@bp.post("/parties/<int:party_id>/delete")
@login_required
@require("agreement.edit")
def remove_party(party_id: int):
    """Remove a party from its agreement."""
    party = get_or_404(select(AgreementParty), party_id)
    agreement_id = party.agreement_id
    services.remove_party(party)
    return to_detail(agreement_id, _("Party removed."), party_q="")


@bp.get("/<int:agreement_id>/document")
@login_required
@require("agreement.view")
def document(agreement_id: int):
    """Send the agreement's signed document."""
    agreement = agreement_or_404(agreement_id)
    if agreement.document is None:
        deny()
    return documents.send_document(agreement.document)

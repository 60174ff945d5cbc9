"""The technical team's side of pending memberships: the queue and the confirm / reject buttons.

The buttons also appear on the company's page (crm/liaison/panels.py); the follow-up the owner got
links there.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.errors import UserError
from crm.liaison import confirmation
from crm.liaison.blueprint import bp
from crm.liaison.queries import paginate_rows
from crm.liaison.views import refused
from crm.models import utcnow
from crm.organisations.forms import CsrfForm
from crm.pagination import page_number
from crm.permissions import get_or_404, require, visible_memberships
from crm.web import page_size


@bp.get("/pending")
@login_required
@require("membership.edit")
def pending():
    """List the memberships liaisons asked for that wait for a decision."""
    page = paginate_rows(confirmation.pending_query(), page_size(), page_number("page"))
    return render_template("liaison/pending.html", page=page, csrf_form=CsrfForm())


def decided_message(state: str, company: str, association: str) -> str:
    """Tell the decider what happened."""
    if state == "confirmed":
        return _(
            "Membership of %(company)s in %(association)s confirmed: the liaison now sees the company.",
            company=company,
            association=association,
        )
    return _(
        "Membership of %(company)s in %(association)s rejected: the liaison still sees only its name.",
        company=company,
        association=association,
    )


def back_target(company_id: int) -> str:
    """Return where the decider came from: the company's page or the queue."""
    if request.form.get("back") == "org":
        return url_for("organisations.detail", org_id=company_id) + "#membership-requests"
    return url_for(".pending")


@bp.post("/memberships/<int:membership_id>/decide")
@login_required
@require("membership.edit")
def decide(membership_id: int):
    """Confirm or reject a membership a liaison asked for; back to the company page or the queue."""
    membership = get_or_404(visible_memberships(current_user), membership_id)
    names = (membership.company.legal_name, membership.association.legal_name)
    target = back_target(membership.company_id)
    if not CsrfForm().validate_on_submit():
        flash(_("The form expired or was not sent from this site. Reload the page and try again."), "error")
        return redirect(target)
    try:
        state = confirmation.decide(current_user, membership, request.form.get("decision", ""), utcnow())
    except UserError as exc:
        return refused(exc, target)
    flash(decided_message(state, *names), "success")
    return redirect(target)

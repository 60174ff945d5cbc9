"""The liaison portal: members with status and review, new members, referrals.

Every record comes from a scoped query of crm.permissions: an id outside the liaison's associations
answers 404 through deny(), which logs the attempt. The request commits (crm.transactions); a refusal
discards the request's work before its message is shown.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from crm.clock import today
from crm.errors import UserError, discard_work
from crm.extensions import db
from crm.labels import LABELS
from crm.liaison import forms, queries, services
from crm.liaison.blueprint import bp
from crm.models import MEMBERSHIP_STATUSES, Membership, Organisation, Programme, utcnow
from crm.organisations.forms import CsrfForm
from crm.pagination import count, page_number, paginate
from crm.permissions import deny, editable_memberships, get_or_404, portal_associations, require
from crm.web import locale, page_size, to_id


def scoped_association(assoc_id: int) -> Organisation:
    """Return one of the liaison's associations, or deny."""
    return get_or_404(portal_associations(current_user), assoc_id)


def scoped_membership(membership_id: int) -> Membership:
    """Return a membership of the liaison's associations, or deny."""
    return get_or_404(editable_memberships(current_user), membership_id)


def scoped_programme(programme_id: int | None) -> Programme:
    """Return an active programme, or deny (ids typed into the form included)."""
    if programme_id is None:
        deny()
    return get_or_404(queries.active_programmes(), programme_id)


def programmes() -> list[Programme]:
    """Return the programmes members can be referred to."""
    return list(db.session.scalars(queries.active_programmes()))


def first_error(form: FlaskForm) -> str:
    """Return the first field error with its label."""
    for field in form:
        if field.errors:
            return f"{field.label.text}: {field.errors[0]}"
    return _("The form expired or was not sent from this site. Reload the page and try again.")


def list_url(assoc_id: int, back: str | None, anchor: str = "") -> str:
    """Rebuild the member list's address from a row's hidden `back` (known arguments only)."""
    args = dict(parse_qsl(back or ""))
    page = to_id(args.get("page"))
    extra = {"page": page} if page and page > 1 else {}
    return url_for(".members", assoc_id=assoc_id, **queries.parse_filters(args).args(), **extra) + anchor


def refused(exc: UserError, target: str) -> Any:
    """Discard the request's work (a redirect would commit it), show the refusal and go back."""
    discard_work()
    flash(exc.message, "error")
    return redirect(target)


def from_script() -> bool:
    """Return whether the row was sent by the portal's script, which wants a short answer."""
    return request.headers.get("X-Requested-With") == "fetch"


def answer(membership: Membership, back: str | None, message: str, ok: bool) -> Any:
    """Answer a row's save: JSON for the script, else a flash and a redirect to the row."""
    if from_script():  # the row's tick box gets the version just saved, for a bulk change after this one
        pick = f"{membership.id}:{queries.version_of(membership)}"
        return {"ok": ok, "message": message, "status": membership.status, "pick": pick}, 200 if ok else 400
    flash(message, "success" if ok else "error")
    return redirect(list_url(membership.association_id, back, f"#m-{membership.id}"))


# --- the member list --------------------------------------------------------------------------------


@bp.get("/")
@login_required
@require("portal.use")
def home():
    """Open the liaison's first association (or explain that none is linked yet)."""
    associations = queries.associations_of(current_user)
    if associations:
        return redirect(url_for(".members", assoc_id=associations[0].id))
    return render_template("liaison/none.html")


def stale_count(assoc_id: int) -> int:
    """Count the association's members not reviewed for STALE_DAYS."""
    filters = queries.MemberFilters(stale=True)
    return count(queries.confirmed(queries.members_query(current_user, assoc_id, filters, utcnow())))


@bp.get("/<int:assoc_id>")
@login_required
@require("portal.use")
def members(assoc_id: int):
    """List the association's members with status, review date and coarse participation."""
    association = scoped_association(assoc_id)
    filters = queries.parse_filters(request.args)
    query = queries.members_query(current_user, assoc_id, filters, utcnow())
    page = paginate(query, queries.MEMBERS_PER_PAGE, page_number("page"))
    return render_template(
        "liaison/members.html",
        association=association,
        associations=queries.associations_of(current_user),
        page=page,
        filters=filters,
        # Participation is not for pending members: the liaison sees only their name, district and sector.
        coarse=queries.participation([m.company_id for m in page.items if m.confirmed]),
        reviewable=count(queries.confirmed(query)),
        participation_labels=LABELS["participation"],
        statuses=MEMBERSHIP_STATUSES,
        programmes=programmes(),
        stale=stale_count(assoc_id),
        stale_days=queries.STALE_DAYS,
        back=urlencode({**filters.args(), "page": page.number}),
        csrf_form=CsrfForm(),
        version_of=queries.version_of,
    )


@bp.post("/members/<int:membership_id>")
@login_required
@require("portal.use")
def save_member(membership_id: int):
    """Save one member's status and note; this also marks it reviewed."""
    membership = scoped_membership(membership_id)
    form = forms.MemberForm()
    if not form.validate_on_submit():
        return answer(membership, form.back.data, first_error(form), ok=False)
    try:
        services.review_member(membership, current_user, form.status.data, form.note.data, utcnow())
    except UserError as exc:
        discard_work()  # the JSON refusal answers 400, but the redirect would commit
        return answer(membership, form.back.data, exc.message, ok=False)
    name = membership.company.legal_name
    return answer(membership, form.back.data, _("%(name)s: saved.", name=name), ok=True)


@bp.post("/<int:assoc_id>/confirm")
@login_required
@require("portal.use")
def confirm(assoc_id: int):
    """Mark every member the list shows (all pages, same filters) as reviewed."""
    scoped_association(assoc_id)
    form = forms.ConfirmForm()
    filters = queries.parse_filters(request.form)
    if form.validate_on_submit():
        done = services.confirm_all(current_user, assoc_id, filters, utcnow())
        text = ngettext(
            "%(num)s member confirmed as reviewed.", "%(num)s members confirmed as reviewed.", done
        )
        flash(text, "success")
    return redirect(url_for(".members", assoc_id=assoc_id, **filters.args()))


@bp.post("/<int:assoc_id>/status")
@login_required
@require("portal.use")
def bulk_status(assoc_id: int):
    """Give the ticked members one status at once (all or none), each marked reviewed."""
    scoped_association(assoc_id)
    form = forms.BulkStatusForm()
    back = list_url(assoc_id, form.back.data)  # the top of the page, where the summary is shown
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return redirect(back)
    picks = [queries.parse_pick(raw) for raw in request.form.getlist("ids")]
    try:
        done = services.set_statuses(current_user, assoc_id, picks, form.status.data, utcnow())
    except UserError as exc:
        return refused(exc, back)
    flash(ngettext("%(num)s membership updated.", "%(num)s memberships updated.", done), "success")
    return redirect(back)


def referral_message(outcome: str, name: str) -> str:
    """Tell the liaison what the referral did."""
    if outcome == "created":
        return _("%(name)s was referred to the project. The outreach team has been notified.", name=name)
    if outcome == "linked":
        return _(
            "%(name)s already takes part in this programme; your association is now recorded as its "
            "source and the outreach team has been notified.",
            name=name,
        )
    return _(
        "%(name)s already takes part in this programme and its referral was already recorded.", name=name
    )


@bp.post("/members/<int:membership_id>/refer")
@login_required
@require("portal.use")
def refer(membership_id: int):
    """Refer a member to a programme of the project."""
    membership = scoped_membership(membership_id)
    form = forms.ReferForm()
    back = list_url(membership.association_id, form.back.data, f"#m-{membership.id}")
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return redirect(back)
    programme = scoped_programme(form.programme_id.data)
    name = membership.company.legal_name
    try:
        referral = services.refer(current_user, membership, programme, utcnow(), today())
    except UserError as exc:
        return refused(exc, back)
    flash(referral_message(referral.outcome, name), "success" if referral.outcome != "already" else "info")
    return redirect(back)


# --- referrals ----------------------------------------------------------------------------------------


@bp.get("/<int:assoc_id>/referrals")
@login_required
@require("portal.use")
def referrals(assoc_id: int):
    """Show how the association's referred companies are doing, coarsely."""
    association = scoped_association(assoc_id)
    query = queries.referrals_query(assoc_id, locale())
    return render_template(
        "liaison/referrals.html",
        association=association,
        associations=queries.associations_of(current_user),
        counts=queries.referral_counts(assoc_id),
        page=queries.paginate_rows(query, page_size(), page_number("page")),
        ranks=queries.RANKS,
        participation_labels=LABELS["participation"],
    )

"""Adding members from the portal: a narrow search among all companies, or a new company.

The company id a form sends is resolved through permissions.addable_companies() (companies only) and
the association through the liaison's own list; anything else answers 404. A refusal discards the
request's work before its message is shown; otherwise the request commits (crm.transactions).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.clock import today
from crm.errors import UserError, discard_work, form_error
from crm.liaison import confirmation, forms, queries, services
from crm.liaison.blueprint import bp
from crm.liaison.views import (
    first_error,
    programmes,
    referral_message,
    refused,
    scoped_association,
    scoped_programme,
)
from crm.models import Membership, Organisation, Programme, utcnow
from crm.models.organisation import OrgKind
from crm.organisations.forms import sector_choices
from crm.organisations.listing import districts
from crm.pagination import page_number
from crm.permissions import addable_companies, get_or_404, require
from crm.web import locale, page_size, to_id


def search_results(assoc_id: int) -> tuple[str, Any]:
    """Return the search term and one page of matching companies (None below MIN_SEARCH letters)."""
    term = (request.args.get("q") or "").strip()[:100]
    if len(term) < queries.MIN_SEARCH:
        return term, None
    query = queries.company_search(term, assoc_id, locale())
    return term, queries.paginate_rows(query, page_size(), page_number("page"))


def fill_new_company(form: forms.NewCompanyForm, options: list[Programme]) -> None:
    """Load the sector, district and programme options."""
    form.sector_id.choices = sector_choices(locale())
    form.district_id.choices = [("", "—")] + [(d.id, f"{d.name} ({d.province})") for d in districts()]
    form.programme_id.choices = forms.programme_choices(options, locale(), _("Not now"))


def render_add(
    association: Organisation, new_form: forms.NewCompanyForm, status: int = 200, offer: Any = None
):
    """Render the add-a-member page: search results, the new-company form and a company its RUC found."""
    options = programmes()
    fill_new_company(new_form, options)
    add_form = forms.AddMemberForm(formdata=None)
    add_form.programme_id.choices = forms.programme_choices(options, locale(), _("Not now"))
    term, results = search_results(association.id)
    return render_template(
        "liaison/add.html",
        association=association,
        associations=queries.associations_of(current_user),
        term=term,
        results=results,
        min_search=queries.MIN_SEARCH,
        add_form=add_form,
        new_form=new_form,
        offer=offer,
    ), status


@bp.get("/<int:assoc_id>/add")
@login_required
@require("portal.use")
def add(assoc_id: int):
    """Search the CRM's companies to add one as a member, or create a new one."""
    return render_add(scoped_association(assoc_id), forms.NewCompanyForm(formdata=None))


def chosen_programme(programme_id: int | None) -> Programme | None:
    """Return the programme the form chose, or None (an unknown id is denied)."""
    return None if programme_id is None else scoped_programme(programme_id)


def refer_new(membership: Membership, programme: Programme | None) -> str | None:
    """Refer a just-added, confirmed member when a programme was chosen; return the outcome."""
    if programme is None or not membership.confirmed:  # a pending member's owner decides on referral
        return None
    return services.refer(current_user, membership, programme, utcnow(), today()).outcome


def added_message(name: str, association: Organisation, membership: Membership) -> str:
    """Tell the liaison the company is a member, or that the PMU will confirm it first."""
    words = {"name": name, "association": association.legal_name}
    if membership.confirmed:
        return _("%(name)s is now a member of %(association)s.", **words)
    return _(
        "%(name)s was added to %(association)s pending confirmation: the outreach team will confirm the "
        "membership (and any referral). Until then you see only its name, district and sector.",
        **words,
    )


def added(association: Organisation, membership: Membership, outcome: str | None):
    """Confirm and show the new member in the list (the request commits)."""
    name = membership.company.legal_name
    flash(added_message(name, association, membership), "success")
    if outcome:
        flash(referral_message(outcome, name), "success")
    return redirect(url_for(".members", assoc_id=association.id, q=name))


@bp.post("/<int:assoc_id>/add")
@login_required
@require("portal.use")
def add_existing(assoc_id: int):
    """Add a company found by the search (any company of the CRM) as a member."""
    association = scoped_association(assoc_id)
    form = forms.AddMemberForm()
    company = get_or_404(addable_companies(), to_id(form.organisation_id.data) or 0)
    if not form.validate_on_submit():
        flash(first_error(form), "error")
        return redirect(url_for(".add", assoc_id=assoc_id))
    programme = chosen_programme(form.programme_id.data)
    try:
        membership = confirmation.add_member(
            current_user, association, company, form.status.data, today(), programme
        )
        outcome = refer_new(membership, programme)
    except UserError as exc:
        return refused(exc, url_for(".add", assoc_id=assoc_id))
    return added(association, membership, outcome)


def taken_ruc(association: Organisation, form: forms.NewCompanyForm, holder: Organisation):
    """Offer the company that has the RUC; of any other kind, never say who has it."""
    holder_id, kind = holder.id, holder.kind  # read before discarding the work expires it
    discard_work()
    if kind != OrgKind.COMPANY:  # a bank, ministry or association outside the liaison's scope
        form.ruc.errors.append(_("This RUC is already registered. Contact the PMU if you need it added."))
        return render_add(association, form, 400)
    form.ruc.errors.append(_("A company with this RUC is already in the CRM: you can add it below."))
    return render_add(association, form, 400, queries.company_offer(holder_id, association.id, locale()))


def refused_company(association: Organisation, form: forms.NewCompanyForm, exc: UserError):
    """Show a refusal on the RUC field if it concerns the RUC, else on the name."""
    if "other" in exc.context:  # the RUC is taken
        return taken_ruc(association, form, exc.context["other"])
    form_error(form, UserError(exc.message, "ruc" if exc.field == "ruc" else "legal_name"))
    return render_add(association, form, 400)


@bp.post("/<int:assoc_id>/new-company")
@login_required
@require("portal.use")
def new_company(assoc_id: int):
    """Create a company that is not in the CRM yet and add it as a member."""
    association = scoped_association(assoc_id)
    form = forms.NewCompanyForm()
    fill_new_company(form, programmes())
    if not form.validate_on_submit():
        return render_add(association, form, 400)
    try:
        membership = services.add_new_company(
            current_user, association, form.company_values(), form.status.data, today()
        )
        outcome = refer_new(membership, chosen_programme(form.programme_id.data))
    except UserError as exc:
        return refused_company(association, form, exc)
    return added(association, membership, outcome)

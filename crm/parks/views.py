"""Tenants of industrial parks: added on the park's or the company's page, ended or removed (all POST)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.errors import UserError, discard_work
from crm.models import Organisation, ParkTenant
from crm.organisations import picker
from crm.parks import services
from crm.parks.blueprint import bp
from crm.parks.forms import AddTenantForm, JoinParkForm, TenantForm
from crm.permissions import get_or_404, require, visible_organisations


def back_to(org_id: int, tenant_q: str | None = None):
    """Redirect to an organisation page's park section (with the tenant search to show again)."""
    return redirect(url_for("organisations.detail", org_id=org_id, tenant_q=tenant_q or None) + "#park")


def refused(form: TenantForm) -> bool:
    """Flash the form's errors; return whether there were any."""
    if form.validate_on_submit():
        return False
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")
    return True


def add(park: Organisation, company_of, form: TenantForm, back: int, term: str | None = None):
    """Add the tenancy the form describes, then go back to the page it came from (its search kept)."""
    if refused(form):
        return back_to(back, term)
    try:
        company = company_of()
        services.add_tenant(park, company, form.since.data, form.until.data)
    except UserError as exc:
        discard_work()
        flash(exc.message, "error")
        return back_to(back, term)
    flash(
        _("%(company)s is now a tenant of %(park)s.", company=company.legal_name, park=park.legal_name),
        "success",
    )
    return back_to(back)


@bp.post("/<int:park_id>/tenants")
@login_required
@require("park.edit")
def add_tenant(park_id: int):
    """Add the company chosen among a search's matches to the park."""
    park = get_or_404(visible_organisations(current_user), park_id)
    form = AddTenantForm()
    term = (form.tenant_q.data or "")[:200]
    return add(
        park,
        lambda: picker.chosen(current_user, form.company_id.data, field_name="company"),
        form,
        park.id,
        term,
    )


@bp.post("/companies/<int:org_id>/park")
@login_required
@require("park.edit")
def join_park(org_id: int):
    """Place the company in a park chosen on its page."""
    company = get_or_404(visible_organisations(current_user), org_id)
    form = JoinParkForm()
    park = db_park(form.park_id.data)
    return add(park, lambda: company, form, company.id) if park else back_to(company.id)


def db_park(park_id: int | None) -> Organisation | None:
    """Return the park a form chose, or flash that none was."""
    park = next((p for p in services.parks() if p.id == park_id), None)
    if park is None:
        flash(_("Choose an industrial park."), "error")
    return park


@bp.post("/tenants/<int:tenant_id>/dates")
@login_required
@require("park.edit")
def edit_tenant(tenant_id: int):
    """Change a tenancy's dates (an end date when the company leaves the park)."""
    tenant = get_or_404(select(ParkTenant), tenant_id)
    form = TenantForm()
    if not refused(form):
        try:
            services.set_dates(tenant, form.since.data, form.until.data)
            flash(_("Changes saved."), "success")
        except UserError as exc:
            discard_work()
            flash(exc.message, "error")
    return back_to(tenant.park_id)


@bp.post("/tenants/<int:tenant_id>/delete")
@login_required
@require("park.edit")
def remove_tenant(tenant_id: int):
    """Remove a tenancy entered by mistake."""
    tenant = get_or_404(select(ParkTenant), tenant_id)
    park_id = tenant.park_id
    services.remove_tenant(tenant)
    flash(_("Tenant removed."), "success")
    return back_to(park_id)

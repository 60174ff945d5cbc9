"""Organisation list, page, create, edit and delete views."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from crm import saved_views as shared_views
from crm.contacts.services import contacts_of
from crm.errors import StaleEditError, UserError, discard_work, form_error
from crm.labels import label
from crm.models import KINDS, MEMBERSHIP_STATUSES, Organisation
from crm.models.organisation import OrgKind
from crm.organisations import activity, forms, listing, memberships, saved_views, services
from crm.organisations.blueprint import bp
from crm.organisations.panels import org_panels
from crm.pagination import Page, page_number, paginate
from crm.permissions import can, get_or_404, require, visible_organisations
from crm.saved_view_routes import open_default
from crm.web import locale, page_size


@bp.route("/")
@login_required
@require("org.view")
def index():
    """List, search, filter and sort the organisations the user may see (opened bare: the default view)."""
    if (redirect_to := open_default(saved_views.LIST, "organisations.index")) is not None:
        return redirect_to
    return render_list(listing.parse_filters(request.args))


def render_list(filters: listing.Filters, bulk_form: Any = None, checked: Any = (), status: int = 200):
    """Render one page of the list, with the bulk form (and the boxes ticked before a refusal)."""
    page = paginate(listing.list_query(current_user, filters), page_size(), page_number("page"))
    if bulk_form is None and can(current_user, "org.edit"):
        bulk_form = forms.new_bulk_form()
    offered = shared_views.offered(current_user, saved_views.LIST, request.args)
    with_stages = can(current_user, "pipeline.view") and "stage" in offered["columns"]
    html = render_template(
        "organisations/index.html",
        page=page,
        filters=filters,
        kinds=[(kind, label("kind", kind)) for kind in KINDS],
        sectors=listing.sector_groups(),
        districts=listing.districts(),
        owners=listing.owner_rows(),
        stages=listing.stages_of(page.items) if with_stages else {},
        bulk=bulk_form,
        checked=set(checked),
        **offered,
    )
    return html, status


def membership_parts(org: Organisation) -> dict[str, Any]:
    """Return a company's associations (and the add form) or an association's members."""
    if org.kind == "association":
        query = memberships.members_query(current_user, org.id)
        return {"members": paginate(query, page_size(), page_number("mpage"))}
    if org.kind != OrgKind.COMPANY:
        return {}
    parts: dict[str, Any] = {"memberships": memberships.company_memberships(current_user, org.id)}
    if can(current_user, "membership.edit"):
        parts["add_form"] = forms.MembershipAddForm(formdata=None)
        forms.fill_association_choices(parts["add_form"], memberships.associations(current_user))
    return parts


def history_part(org: Organisation) -> Page | None:
    """Return one page of the organisation's history, for roles that may see it."""
    if not can(current_user, "history.view"):
        return None
    return services.history_page(org.id, can(current_user, "profile.view"), page_size(), page_number("hpage"))


@bp.route("/<int:org_id>")
@login_required
@require("org.view")
def detail(org_id: int):
    """Show an organisation; loading its emission profile writes the read trail (crm/privacy/trail.py)."""
    org = get_or_404(visible_organisations(current_user), org_id)
    show_profile = can(current_user, "profile.view") and services.shows_profile(org)
    wanted = request.args.get("activity") if request.args.get("activity") in activity.TYPES else None
    timeline = activity.timeline(current_user, org.id, wanted, page_size(), page_number("apage"))
    return render_template(
        "organisations/detail.html",
        org=org,
        show_profile=show_profile,
        website=services.web_url(org.website),
        contacts=contacts_of(current_user, org.id),
        summary=activity.summary(current_user, org),
        timeline=timeline,
        activity_type=wanted,
        activity_types=activity.allowed_types(current_user),
        history=history_part(org),
        statuses=MEMBERSHIP_STATUSES,
        csrf_form=forms.CsrfForm(),
        panels=org_panels(current_user, org),
        **membership_parts(org),
    )


def render_form(form: forms.OrganisationForm, org: Organisation | None, status: int = 200, **extra: Any):
    """Render the create/edit form."""
    return render_template("organisations/form.html", form=form, org=org, **extra), status


def add_error(form: forms.OrganisationForm, exc: UserError) -> None:
    """Show a service's refusal next to the field it concerns (a duplicate RUC links to the other)."""
    message: Any = exc.message
    if (other := exc.context.get("other")) is not None:
        href = url_for("organisations.detail", org_id=other.id)
        link = Markup('<a href="{}">{}</a>').format(href, other.legal_name)
        # escape() turns the translation into Markup, so only the link is inserted as HTML
        message = escape(_("Another organisation already has this RUC: %(name)s")) % {"name": link}
    form_error(form, UserError(message, exc.field or "legal_name"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("org.edit")
def create():
    """Create an organisation."""
    # The kind being submitted (or asked for by ?kind=) decides whether the profile fields exist at all.
    kind = request.form.get("kind") or request.args.get("kind") or OrgKind.COMPANY
    with_profile = can(current_user, "profile.edit") and kind == OrgKind.COMPANY
    form = forms.organisation_form(with_profile, data={"kind": kind})
    forms.fill_choices(form, locale())
    if not form.validate_on_submit():
        return render_form(form, None, 400 if form.is_submitted() else 200)
    try:
        org = services.create_organisation(forms.org_values(form), forms.profile_values(form))
    except UserError as exc:
        add_error(form, exc)
        return render_form(form, None, 400)
    flash(_("Organisation created."), "success")
    return redirect(url_for("organisations.detail", org_id=org.id))


def conflict_rows(exc: StaleEditError, org_id: int, loaded: int) -> list:
    """Return what others saved since the loaded version; a flush that lost the race is discarded first."""
    if exc.changes:
        return exc.changes
    discard_work()  # the failed flush leaves a session that cannot read until it is rolled back
    return services.changes_since(org_id, loaded)


def render_conflict(form: forms.OrganisationForm, org_id: int, exc: StaleEditError):
    """Show what others changed since the user loaded the form; nothing was saved."""
    rows = conflict_rows(exc, org_id, forms.loaded_version(form))
    org = get_or_404(visible_organisations(current_user), org_id)
    # The form now carries the current version: saving again is a deliberate overwrite.
    form.version.data = str(org.version_id)
    form.version.raw_data = [form.version.data]
    changes = services.visible_changes(rows, can(current_user, "profile.view"))
    return render_form(form, org, 409, conflict=changes)


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
@require("org.edit")
def edit(org_id: int):
    """Edit an organisation, refusing to overwrite changes saved since the form was loaded."""
    org = get_or_404(visible_organisations(current_user), org_id)
    with_profile = can(current_user, "profile.edit") and org.kind == OrgKind.COMPANY
    form = forms.organisation_form(with_profile, obj=org, data=forms.initial_data(org))
    forms.fill_choices(form, locale(), org.owner_id)
    if not form.validate_on_submit():
        return render_form(form, org, 400 if form.is_submitted() else 200)
    values, profile = forms.org_values(form), forms.profile_values(form)
    try:
        services.update_organisation(org, values, forms.loaded_version(form), profile)
    except StaleEditError as exc:
        return render_conflict(form, org_id, exc)
    except UserError as exc:
        add_error(form, exc)
        return render_form(form, org, 400)
    flash(_("Changes saved."), "success")
    return redirect(url_for("organisations.detail", org_id=org_id))


@bp.route("/<int:org_id>/delete", methods=["POST"])
@login_required
@require("org.delete")
def delete(org_id: int):
    """Delete an organisation; its history keeps the deletion."""
    org = get_or_404(visible_organisations(current_user), org_id)
    if not forms.CsrfForm().validate_on_submit():
        return redirect(url_for("organisations.detail", org_id=org_id))
    name = org.legal_name
    services.delete_organisation(org)
    flash(_("%(name)s was deleted.", name=name), "success")
    return redirect(url_for("organisations.index"))

"""Views of the contacts feature: list, detail, create, edit, delete."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from crm import saved_views
from crm.contacts import services, view_views
from crm.contacts.blueprint import bp
from crm.contacts.forms import ContactEditForm, ContactFilterForm, ContactForm
from crm.errors import StaleEditError, discard_work
from crm.models import Contact, Organisation
from crm.permissions import can, deny, get_or_404, require, visible_contacts
from crm.saved_view_routes import open_default
from crm.web import page_size, to_id


@bp.route("/")
@login_required
@require("contact.view")
def index():
    """List, search and filter the contacts the user may see (opened bare: the default view)."""
    if (redirect_to := open_default(view_views.LIST, "contacts.index")) is not None:
        return redirect_to
    form = ContactFilterForm(formdata=request.args)
    form.prepare(current_user)
    sort = request.args.get("sort", "name")
    page = services.search_contacts(current_user, form.search(sort), page_size())
    return render_template(
        "contacts/index.html",
        form=form,
        page=page,
        sort=sort,
        filtered=any(request.args.get(key) for key in view_views.LIST.keys if key not in ("sort", "cols")),
        **saved_views.offered(current_user, view_views.LIST, request.args),
    )


@bp.route("/<int:contact_id>")
@login_required
@require("contact.view")
def detail(contact_id: int):
    """Show one contact with its organisation, interactions and history."""
    contact = get_or_404(visible_contacts(current_user), contact_id)
    return render_template(
        "contacts/detail.html",
        contact=contact,
        interactions=services.interactions_with(contact.id) if can(current_user, "interaction.view") else [],
        entries=services.history(contact.id) if can(current_user, "history.view") else [],
        duplicates=services.same_email(current_user, contact.email, except_id=contact.id),
    )


def prefilled_organisation() -> Organisation | None:
    """Return the organisation of ?organisation_id= if the user may see it; deny anything else."""
    raw = request.args.get("organisation_id")
    if raw is None:
        return None
    org = services.visible_organisation(current_user, to_id(raw))
    if org is None:
        deny()
    return org


def contact_link(contact: Contact) -> Markup:
    """Return an escaped link to a contact's page."""
    url = url_for("contacts.detail", contact_id=contact.id)
    return Markup('<a href="{}">{}</a>').format(url, contact.full_name)


def warn_duplicates(contact: Contact) -> None:
    """Flash a warning, with links, when other contacts use the same e-mail address."""
    others = services.same_email(current_user, contact.email, except_id=contact.id)
    if others:
        links = Markup(", ").join(contact_link(other) for other in others)
        flash(escape(_("Another contact already uses this e-mail address:")) + " " + links, "warning")


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("contact.edit")
def new():
    """Create a contact, optionally for the organisation given in the URL."""
    org = prefilled_organisation()
    form = ContactForm()
    form.organisation_id.prepare(current_user, fixed=org)
    if form.organisation_id.searching or not form.validate_on_submit():
        return render_template("contacts/form.html", form=form, contact=None), 400 if form.errors else 200
    contact = services.create_contact(form.values())
    flash(_("Contact %(name)s created.", name=contact.full_name), "success")
    warn_duplicates(contact)
    if org is not None:
        return redirect(url_for("organisations.detail", org_id=org.id))
    return redirect(url_for("contacts.detail", contact_id=contact.id))


def render_edit(form: ContactEditForm, contact: Contact, conflict: list | None = None, status: int = 200):
    """Render the edit form, with the conflicting changes if any."""
    return render_template("contacts/form.html", form=form, contact=contact, conflict=conflict), status


def render_conflict(form: ContactEditForm, contact_id: int, exc: StaleEditError):
    """Show what others saved since the user loaded the form; nothing was saved."""
    changes = exc.changes
    if not changes:
        discard_work()  # the flush lost the race; the session cannot read until it is rolled back
        changes = services.changes_since(contact_id, form.version.data)
    contact = get_or_404(visible_contacts(current_user), contact_id)
    # Saving again now deliberately overwrites: render the current version, not the submitted one.
    form.version.data, form.version.raw_data = contact.version_id, None
    return render_edit(form, contact, changes, 409)


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
@require("contact.edit")
def edit(contact_id: int):
    """Edit a contact, refusing to overwrite someone else's newer save."""
    contact = get_or_404(visible_contacts(current_user), contact_id)
    form = ContactEditForm(obj=contact)
    form.organisation_id.prepare(current_user)
    if request.method == "GET":
        form.version.data = contact.version_id
    if form.organisation_id.searching or not form.validate_on_submit():
        return render_edit(form, contact, status=400 if form.errors else 200)
    try:
        services.update_contact(contact, form.values(), form.version.data)
    except StaleEditError as exc:
        return render_conflict(form, contact_id, exc)
    flash(_("Contact saved."), "success")
    warn_duplicates(contact)
    return redirect(url_for("contacts.detail", contact_id=contact.id))


@bp.route("/<int:contact_id>/delete", methods=["POST"])
@login_required
@require("contact.edit")
def delete(contact_id: int):
    """Delete a contact and return to its organisation (or the list)."""
    contact = get_or_404(visible_contacts(current_user), contact_id)
    org_id, name = contact.organisation_id, contact.full_name
    services.delete_contact(contact)
    flash(_("Contact %(name)s deleted.", name=name), "success")
    if org_id is not None:
        return redirect(url_for("organisations.detail", org_id=org_id))
    return redirect(url_for("contacts.index"))

"""The organisation list's bulk actions: one form, one action, one transaction."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from crm.clock import today
from crm.errors import UserError, form_error
from crm.exports.about import organisation_filters
from crm.exports.views import download, org_headers, org_rows
from crm.interactions.follow_ups import NewFollowUp
from crm.organisations import bulk, forms, listing
from crm.organisations.blueprint import bp
from crm.organisations.views import render_list
from crm.permissions import can, require
from crm.web import locale, to_id


def export(selection: bulk.Selection, fmt: str):
    """Answer the selected organisations as a file, with the list export's columns."""
    bulk.targets(current_user, selection)  # refuses an empty, oversized or out-of-scope selection
    with_profile = can(current_user, "profile.view")
    rows = org_rows(bulk.selected_query(current_user, selection), with_profile)
    return download(_("organisations"), fmt, (org_headers(with_profile), rows), lambda: chosen(selection))


def chosen(selection: bulk.Selection) -> list[tuple[str, str]]:
    """Return the export's filter lines: the list's filters when all found were chosen, else the count."""
    if selection.filters is not None:
        return organisation_filters(selection.filters, {}, locale())
    return [(_("Selection"), _("%(num)s ticked organisations", num=len(selection.ids)))]


def run(form: forms.BulkForm, selection: bulk.Selection):
    """Apply the chosen action; answer a file or go back to the list with what was done."""
    action = form.action.data
    if action.startswith("export_"):
        return export(selection, action.removeprefix("export_"))
    if action == "owner":
        done = bulk.reassign_owner(current_user, selection, form.owner_id.data)
        flash(
            ngettext(
                "%(num)s organisation has a new owner.", "%(num)s organisations have a new owner.", done
            ),
            "success",
        )
    elif action == "invite":
        done = bulk.invite_people(current_user, selection, form.event_id.data, locale())
        sent = ngettext("%(num)s invitation will be sent.", "%(num)s invitations will be sent.", done)
        flash(sent, "success")
    else:
        values = NewFollowUp(None, form.description.data, form.assignee_id.data, form.due_on.data)
        done = bulk.add_follow_ups(current_user, selection, values, today())
        flash(ngettext("%(num)s follow-up added.", "%(num)s follow-ups added.", done), "success")
    return redirect(url_for("organisations.index", **request.args))


@bp.post("/bulk")
@login_required
@require("org.edit")
def bulk_action():
    """Apply one action to the ticked organisations (or to all found); refuse it whole on any problem."""
    form, filters = forms.new_bulk_form(), listing.parse_filters(request.args)
    ids = [found for found in (to_id(raw) for raw in request.form.getlist("ids")) if found]
    if not form.validate_on_submit():
        return render_list(filters, form, ids, 400)
    selection = bulk.Selection(ids, filters if form.everything.data else None)
    try:
        return run(form, selection)
    except UserError as exc:
        form_error(form, exc)
        return render_list(filters, form, ids, 400)

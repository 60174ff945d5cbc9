"""Views of saved views: save the organisation list's filters under a name, delete one."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.errors import UserError, discard_work
from crm.organisations import saved_views
from crm.organisations.blueprint import bp
from crm.permissions import require


def back(query: str = ""):
    """Go back to the organisation list, with the given filters."""
    return redirect(url_for("organisations.index", **dict(parse_qsl(query))))


@bp.post("/views")
@login_required
@require("org.view")
def save_view():
    """Save the list's filters (sent with the form) under the name given."""
    try:
        view = saved_views.save_view(
            current_user, request.form.get("name", ""), request.form, request.form.get("shared") == "y"
        )
    except UserError as exc:
        discard_work()
        flash(exc.message, "warning")
        return back(saved_views.clean_query(request.form))
    flash(_("View “%(name)s” saved.", name=view.name), "success")
    return back(view.query)


@bp.post("/views/<int:view_id>/delete")
@login_required
@require("org.view")
def delete_view(view_id: int):
    """Delete a saved view (one's own; admins: any shared one)."""
    name = saved_views.delete_view(current_user, view_id)
    if name is None:
        flash(_("This view does not exist or is not yours."), "warning")
    else:
        flash(_("View “%(name)s” deleted.", name=name), "success")
    return back()

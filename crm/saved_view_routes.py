"""The two routes every list with saved views has: save its filters under a name, delete a view.

A list's blueprint calls add_routes once; the routes are <prefix>/views and <prefix>/views/<id>/delete,
named <blueprint>.save_view and <blueprint>.delete_view, and go back to the list.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm import saved_views
from crm.errors import UserError, discard_work
from crm.permissions import require


def add_routes(bp: Blueprint, kind: saved_views.ListKind, list_endpoint: str, permission: str) -> None:
    """Attach the save and delete routes of a list's saved views to its blueprint."""

    def back(query: str = ""):
        """Go back to the list, with the given filters."""
        return redirect(url_for(list_endpoint, **dict(parse_qsl(query))))

    @bp.post("/views", endpoint="save_view")
    @login_required
    @require(permission)
    def save_view():
        """Save the list's filters (sent with the form) under the name given."""
        form = request.form
        try:
            view = saved_views.save_view(
                current_user, kind, form.get("name", ""), form, form.get("shared") == "y"
            )
        except UserError as exc:
            discard_work()
            flash(exc.message, "warning")
            return back(saved_views.clean_query(kind, form))
        flash(_("View “%(name)s” saved.", name=view.name), "success")
        return back(view.query)

    @bp.post("/views/<int:view_id>/delete", endpoint="delete_view")
    @login_required
    @require(permission)
    def delete_view(view_id: int):
        """Delete a saved view (one's own; admins: any shared one)."""
        name = saved_views.delete_view(current_user, kind, view_id)
        if name is None:
            flash(_("This view does not exist or is not yours."), "warning")
        else:
            flash(_("View “%(name)s” deleted.", name=name), "success")
        return back()

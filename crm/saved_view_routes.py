"""The routes every list with saved views has: save its filters under a name, delete a view, default one.

A list's blueprint calls add_routes once; the routes are <prefix>/views, <prefix>/views/<id>/delete,
<prefix>/views/<id>/default and <prefix>/views/default/clear, named <blueprint>.save_view, .delete_view,
.default_view and .clear_default_view, and go back to the list. The list's own view calls open_default
first: opened without a query, the list goes to the user's default view (?view=none shows it unfiltered).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm import saved_views
from crm.errors import UserError, discard_work
from crm.permissions import require


def open_default(kind: saved_views.ListKind, list_endpoint: str) -> Response | None:
    """Redirect a list opened without any query to the user's default view, and tidy its columns' query."""
    if not request.args:  # any query, even ?view=none or ?page=2, is the user's own choice
        view = saved_views.default_view(current_user, kind)
        return redirect(url_for(list_endpoint, **dict(parse_qsl(view.query)))) if view else None
    return tidy_columns(kind, list_endpoint)


def tidy_columns(kind: saved_views.ListKind, list_endpoint: str) -> Response | None:
    """Redirect the form's one `cols` per ticked box to the single `cols=a,b` a saved view keeps."""
    if "cols" not in request.args:
        return None
    wanted = saved_views.columns_value(kind, request.args)
    if ",".join(request.args.getlist("cols")) == wanted:
        return None
    args = request.args.to_dict()
    args["cols"] = wanted
    return redirect(url_for(list_endpoint, **{k: v for k, v in args.items() if k != "cols" or v}))


def add_routes(bp: Blueprint, kind: saved_views.ListKind, list_endpoint: str, permission: str) -> None:
    """Attach the save, delete and default routes of a list's saved views to its blueprint."""

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

    @bp.post("/views/<int:view_id>/default", endpoint="default_view")
    @login_required
    @require(permission)
    def default_view(view_id: int):
        """Make a view offered to the user the one their list opens with."""
        view = saved_views.set_default(current_user, kind, view_id)
        if view is None:
            flash(_("This view does not exist or is not offered to you."), "warning")
            return back()
        flash(_("The list now opens with the view “%(name)s”.", name=view.name), "success")
        return back(view.query)

    @bp.post("/views/default/clear", endpoint="clear_default_view")
    @login_required
    @require(permission)
    def clear_default_view():
        """Open the list without filters again."""
        saved_views.clear_default(current_user, kind)
        flash(_("The list now opens without filters."), "success")
        return back("view=none")

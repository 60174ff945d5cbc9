"""Restore buttons of the change history: one field, or a whole save."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from crm.auth.services import safe_next
from crm.changes import services
from crm.changes.blueprint import bp
from crm.errors import StaleEditError, UserError, discard_work, stale_message
from crm.permissions import require


def back() -> str:
    """Return to the page the button was on (a local path only), else the start page."""
    return safe_next(request.form.get("next")) or url_for("main.index")


def refused(exc: UserError | StaleEditError):
    """Drop anything half-restored and tell why nothing was."""
    discard_work()
    message = stale_message(exc) if isinstance(exc, StaleEditError) else exc.message
    flash(message, "error")
    return redirect(back())


@bp.route("/<int:change_id>/restore", methods=["POST"])
@login_required
@require("history.restore")
def restore_field(change_id: int):
    """Put one field back to its value before the change."""
    if not FlaskForm().validate_on_submit():
        return redirect(back())
    try:
        what = services.restore_field(current_user, change_id, request.form.get("field", ""))
    except (UserError, StaleEditError) as exc:
        return refused(exc)
    flash(_("%(field)s was restored to its earlier value.", field=what), "success")
    return redirect(back())


@bp.route("/saves/<save_id>/restore", methods=["POST"])
@login_required
@require("history.restore")
def restore_save(save_id: str):
    """Put every field of one save back to its value before it."""
    if not FlaskForm().validate_on_submit():
        return redirect(back())
    try:
        count = services.restore_save(current_user, save_id[:32])
    except (UserError, StaleEditError) as exc:
        return refused(exc)
    flash(_("The save was undone: %(count)s fields restored.", count=count), "success")
    return redirect(back())

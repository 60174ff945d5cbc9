"""Start page view."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from crm.clock import today
from crm.main import bp, services


@bp.route("/")
@login_required
def index():
    """Show the signed-in user's follow-ups and counts."""
    return render_template(
        "main/index.html",
        follow_ups=services.open_follow_ups(current_user),
        counts=services.work_counts(current_user, today()),
        today=today(),
    )

"""Start page view: "My work" for staff, managers and administrators; the simple home for others."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from crm.clock import today
from crm.main import services
from crm.main.blueprint import bp
from crm.pagination import page_number
from crm.permissions import can
from crm.web import page_size


def my_work():
    """Render the staff home: follow-ups, companies by stage, quiet companies, letters not back."""
    day, config = today(), current_app.config
    stale = services.stale_companies(
        current_user,
        day,
        config["STALE_DAYS_BY_STAGE"],
        config["STALE_DAYS_DEFAULT"],
        page_number("spage"),
        page_size(),
    )
    return render_template(
        "main/work.html",
        today=day,
        overdue=services.overdue_follow_ups(current_user, day),
        upcoming=services.upcoming_follow_ups(current_user, day),
        stages=services.stages_of_my_companies(current_user),
        stale=stale,
        letters=services.letters_not_back(current_user, day),
        evidence=services.evidence_pending(current_user),
    )


@bp.route("/")
@login_required
def index():
    """Show the signed-in user's work list."""
    if can(current_user, "work.view"):
        return my_work()
    if can(current_user, "portal.use"):  # their home is the association portal
        return redirect(url_for("liaison.home"))
    return render_template(
        "main/index.html",
        follow_ups=services.open_follow_ups(current_user),
        counts=services.work_counts(current_user, today()),
        today=today(),
    )

"""Start pages: the dashboard (managers, administrators, viewers), My work (staff), the liaisons' portal."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from crm.clock import today
from crm.main import dashboard, services
from crm.main.blueprint import bp
from crm.pagination import page_number
from crm.permissions import can, require
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


def show_dashboard():
    """Render the managers' dashboard: each tile a summary that links to its report."""
    day = today()
    current, previous = dashboard.funnel_comparison(day)
    figures, lights = dashboard.indicator_lights()
    days = current_app.config["LETTER_OVERDUE_DAYS"]
    return render_template(
        "main/dashboard.html",
        today=day,
        current=current,
        previous=previous,
        cofinance=dashboard.cofinance_totals(),
        figures=figures,
        lights=lights,
        overdue=dashboard.overdue_letters(day, days),
        overdue_days=days,
        stalled=dashboard.stalled(day),
    )


@bp.get("/work")
@login_required
@require("work.view")
def work():
    """Show the signed-in user's work list (follow-ups, companies, letters)."""
    return my_work()


@bp.route("/")
@login_required
def index():
    """Show the start page of the user's role."""
    if can(current_user, "dashboard.view"):
        return show_dashboard()
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

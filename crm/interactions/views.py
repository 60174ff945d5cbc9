"""Views of the interactions feature: log, edit, delete, and the follow-up list."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm import clock
from crm.auth.services import safe_next
from crm.contacts.services import contacts_of
from crm.extensions import db
from crm.interactions import bp, follow_ups, services
from crm.interactions.forms import InteractionForm, LogInteractionForm
from crm.models import FollowUp, Interaction
from crm.permissions import deny, get_or_404, require, visible_organisations


@bp.app_template_global("may_edit_interaction")
def may_edit_interaction(interaction: Interaction) -> bool:
    """Tell templates whether the signed-in user may change this interaction."""
    return services.may_edit_interaction(current_user, interaction)


@bp.app_template_global("may_toggle_follow_up")
def may_toggle_follow_up(follow_up: FollowUp) -> bool:
    """Tell templates whether the signed-in user may close or reopen this follow-up."""
    return follow_ups.may_toggle_follow_up(current_user, follow_up)


@bp.app_template_global("today_lima")
def today_lima():
    """Give templates today's date in the project's time zone."""
    return clock.today()


def organisation_arg() -> int:
    """Return ?organisation_id= as an int, or deny."""
    raw = request.args.get("organisation_id", "")
    if not raw.isdigit():
        deny()
    return int(raw)


def contact_choices(org_id: int) -> list[tuple[int, str]]:
    """Return (id, name) of the organisation's contacts the user may see."""
    return [(c.id, c.full_name) for c in contacts_of(current_user, org_id)]


def render_form(form: InteractionForm, org, interaction: Interaction | None = None):
    """Render the interaction form; 400 when the submission had errors."""
    page = render_template("interactions/form.html", form=form, org=org, interaction=interaction)
    return page, 400 if form.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("interaction.log")
def new():
    """Log an interaction with an organisation, with an optional follow-up."""
    org = get_or_404(visible_organisations(current_user), organisation_arg())
    form = LogInteractionForm()
    form.set_choices(contact_choices(org.id), services.staff_choices())
    if request.method == "GET":
        form.staff_id.data = current_user.id
    if not form.validate_on_submit():
        return render_form(form, org)
    try:
        services.log_interaction(current_user, org.id, form.values(), form.follow_up())
    except services.InteractionError as exc:
        form.show_problems(exc.problems)
        return render_form(form, org)
    db.session.commit()
    flash(_("Interaction logged."), "success")
    return redirect(url_for("organisations.detail", org_id=org.id))


@bp.route("/<int:interaction_id>/edit", methods=["GET", "POST"])
@login_required
@require("interaction.log")
def edit(interaction_id: int):
    """Edit an interaction (its author, or an administrator or manager)."""
    interaction = get_or_404(services.editable_interactions(current_user), interaction_id)
    form = InteractionForm(obj=interaction)
    staff = services.staff_choices(interaction.staff_id)
    form.set_choices(contact_choices(interaction.organisation_id), staff)
    if request.method == "GET":
        form.contact_ids.data = [c.id for c in interaction.contacts]
    if not form.validate_on_submit():
        return render_form(form, interaction.organisation, interaction)
    try:
        services.update_interaction(interaction, form.values())
    except services.InteractionError as exc:
        form.show_problems(exc.problems)
        return render_form(form, interaction.organisation, interaction)
    db.session.commit()
    flash(_("Interaction saved."), "success")
    return redirect(url_for("organisations.detail", org_id=interaction.organisation_id))


@bp.route("/<int:interaction_id>/delete", methods=["POST"])
@login_required
@require("interaction.log")
def delete(interaction_id: int):
    """Delete an interaction (its follow-ups stay on the list)."""
    interaction = get_or_404(services.editable_interactions(current_user), interaction_id)
    org_id = services.delete_interaction(interaction)
    db.session.commit()
    flash(_("Interaction deleted."), "success")
    return redirect(url_for("organisations.detail", org_id=org_id))


@bp.route("/follow-ups")
@login_required
@require("interaction.view")
def follow_up_list():
    """List follow-ups: mine or all (managers), filtered by status."""
    tab = follow_ups.tab_for(current_user, request.args.get("tab"))
    status = follow_ups.status_for(request.args.get("status"))
    today = clock.today()
    page = follow_ups.follow_up_page(current_user, tab, status, today, current_app.config["PAGE_SIZE"])
    counts = follow_ups.status_counts(current_user, tab, today)
    return render_template(
        "interactions/follow_ups.html", page=page, tab=tab, status=status, counts=counts, today=today
    )


def toggle(follow_up_id: int, done: bool):
    """Mark a follow-up done or reopen it, then go back where the user was."""
    follow_up = get_or_404(follow_ups.toggleable_follow_ups(current_user), follow_up_id)
    follow_ups.set_done(follow_up, done)
    db.session.commit()
    flash(_("Follow-up marked done.") if done else _("Follow-up reopened."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("interactions.follow_up_list"))


@bp.route("/follow-ups/<int:follow_up_id>/done", methods=["POST"])
@login_required
@require("interaction.log")
def follow_up_done(follow_up_id: int):
    """Mark a follow-up done (its assignee, or an administrator or manager)."""
    return toggle(follow_up_id, True)


@bp.route("/follow-ups/<int:follow_up_id>/reopen", methods=["POST"])
@login_required
@require("interaction.log")
def follow_up_reopen(follow_up_id: int):
    """Reopen a follow-up marked done by mistake."""
    return toggle(follow_up_id, False)


@bp.route("/")
@login_required
@require("interaction.view")
def index():
    """Send the interactions entry point to the follow-up list."""
    return redirect(url_for("interactions.follow_up_list"))

"""Views of the interactions feature: log, edit, delete, and the follow-up list."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm import clock, saved_views
from crm.auth.services import safe_next
from crm.contacts.services import contacts_of
from crm.errors import UserError, discard_work, form_error
from crm.interactions import follow_ups, services, view_views
from crm.interactions.blueprint import bp
from crm.interactions.forms import (
    FollowUpForm,
    InteractionForm,
    LogInteractionForm,
    ReassignForm,
    SnoozeForm,
)
from crm.models import FollowUp, Interaction, Organisation
from crm.permissions import deny, get_or_404, require, visible_organisations
from crm.saved_view_routes import open_default
from crm.web import page_size, to_id


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
    ident = to_id(request.args.get("organisation_id"))
    if ident is None:
        deny()
    return ident


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
    except UserError as exc:
        form_error(form, exc)
        return render_form(form, org)
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
    except UserError as exc:
        form_error(form, exc)
        return render_form(form, interaction.organisation, interaction)
    flash(_("Interaction saved."), "success")
    return redirect(url_for("organisations.detail", org_id=interaction.organisation_id))


@bp.route("/<int:interaction_id>/delete", methods=["POST"])
@login_required
@require("interaction.log")
def delete(interaction_id: int):
    """Delete an interaction (its follow-ups stay on the list)."""
    interaction = get_or_404(services.editable_interactions(current_user), interaction_id)
    org_id = services.delete_interaction(interaction)
    flash(_("Interaction deleted."), "success")
    return redirect(url_for("organisations.detail", org_id=org_id))


@bp.route("/follow-ups")
@login_required
@require("interaction.view")
def follow_up_list():
    """List follow-ups: mine or all (managers), filtered by status (opened bare: the default view)."""
    if (redirect_to := open_default(view_views.LIST, "interactions.follow_up_list")) is not None:
        return redirect_to
    tab = follow_ups.tab_for(current_user, request.args.get("tab"))
    status = follow_ups.status_for(request.args.get("status"))
    today = clock.today()
    page = follow_ups.follow_up_page(current_user, tab, status, today, page_size())
    counts = follow_ups.status_counts(current_user, tab, today)
    return render_template(
        "interactions/follow_ups.html",
        page=page,
        tab=tab,
        status=status,
        counts=counts,
        today=today,
        **saved_views.offered(current_user, view_views.LIST, request.args),
    )


def toggle(follow_up_id: int, done: bool):
    """Mark a follow-up done or reopen it, then go back where the user was."""
    follow_up = get_or_404(follow_ups.toggleable_follow_ups(current_user), follow_up_id)
    follow_ups.set_done(follow_up, done, current_user)
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


def prefilled_organisation() -> Organisation | None:
    """Return the organisation of ?organisation_id= when given (it must be visible), else None."""
    if "organisation_id" not in request.args:
        return None
    return get_or_404(visible_organisations(current_user), organisation_arg())


def render_new_follow_up(form: FollowUpForm, org_id: int | None):
    """Render the new follow-up form; 400 when the submission had errors."""
    page = render_template("interactions/follow_up_form.html", form=form, org_id=org_id)
    return page, 400 if form.errors else 200


@bp.route("/follow-ups/new", methods=["GET", "POST"])
@login_required
@require("followup.edit")
def follow_up_new():
    """Create a follow-up on its own, for the organisation given in the URL or chosen."""
    org = prefilled_organisation()
    org_id = org.id if org else None
    form = FollowUpForm()
    form.set_choices(services.staff_choices())
    form.organisation_id.prepare(current_user, fixed=org)
    if request.method == "GET":
        form.assignee_id.data = current_user.id
    if form.organisation_id.searching or not form.validate_on_submit():
        return render_new_follow_up(form, org_id)
    try:
        follow_up = follow_ups.create_follow_up(current_user, form.values(), clock.today())
    except UserError as exc:
        form_error(form, exc)
        return render_new_follow_up(form, org_id)
    flash(_("Follow-up created."), "success")
    if org_id is not None:
        return redirect(url_for("organisations.detail", org_id=follow_up.organisation_id))
    return redirect(url_for("interactions.follow_up_list"))


def render_follow_up(
    follow_up: FollowUp, reassign_form=None, snooze_form=None, status: int = 200, problems=()
):
    """Render a follow-up's page with its change forms (and why a change was refused)."""
    reassign_form = reassign_form or ReassignForm(formdata=None)
    reassign_form.set_choices([p for p in services.staff_choices() if p[0] != follow_up.assignee_id])
    page = render_template(
        "interactions/follow_up.html",
        f=follow_up,
        reassign_form=reassign_form,
        snooze_form=snooze_form or SnoozeForm(formdata=None),
        problems=problems,
    )
    return page, status


@bp.route("/follow-ups/<int:follow_up_id>")
@login_required
@require("interaction.view")
def follow_up_detail(follow_up_id: int):
    """Show one follow-up with the forms to complete, snooze or reassign it."""
    return render_follow_up(get_or_404(follow_ups.visible_follow_ups(current_user), follow_up_id))


@bp.route("/follow-ups/<int:follow_up_id>/reassign", methods=["POST"])
@login_required
@require("followup.edit")
def follow_up_reassign(follow_up_id: int):
    """Give a follow-up to another active staff member."""
    follow_up = get_or_404(follow_ups.toggleable_follow_ups(current_user), follow_up_id)
    form = ReassignForm()
    try:
        if not form.validate_on_submit():
            raise UserError(_("Choose an active staff member."), field="assignee_id")
        follow_ups.reassign(current_user, follow_up, form.assignee_id.data, clock.today())
    except UserError as exc:
        discard_work()
        form.assignee_id.errors = [exc.message]  # replaces WTForms' own message
        return render_follow_up(follow_up, reassign_form=form, status=400, problems=form.assignee_id.errors)
    flash(_("Follow-up reassigned to %(name)s.", name=follow_up.assignee.name), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("interactions.follow_up_list"))


@bp.route("/follow-ups/<int:follow_up_id>/snooze", methods=["POST"])
@login_required
@require("followup.edit")
def follow_up_snooze(follow_up_id: int):
    """Move a follow-up's due date by a day, a week, or to a chosen date (never into the past)."""
    follow_up = get_or_404(follow_ups.toggleable_follow_ups(current_user), follow_up_id)
    form = SnoozeForm()
    try:
        if not form.validate_on_submit():
            raise UserError(_("Enter the due date (YYYY-MM-DD)."), field="due_on")
        new_due = follow_ups.snooze(follow_up, form.by.data, form.due_on.data, clock.today())
    except UserError as exc:
        discard_work()
        form.due_on.errors = [exc.message]  # replaces WTForms' own message
        return render_follow_up(follow_up, snooze_form=form, status=400, problems=form.due_on.errors)
    flash(_("Follow-up now due on %(date)s.", date=format_date(new_due, "medium")), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("interactions.follow_up_list"))


@bp.route("/")
@login_required
@require("interaction.view")
def index():
    """Send the interactions entry point to the follow-up list."""
    return redirect(url_for("interactions.follow_up_list"))

"""Views of the pipeline: the board, moving an engagement (form or drag and drop), engaging a company."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm import clock
from crm.auth.services import safe_next
from crm.errors import StaleEditError, UserError, discard_work, wants_json
from crm.extensions import db
from crm.labels import label
from crm.models import ALL_STAGES, EXITS, STAGES, Barrier, Contact, Engagement, Organisation
from crm.models.organisation import OrgKind
from crm.organisations import listing
from crm.pagination import page_number
from crm.permissions import deny, get_or_404, require, visible_contacts, visible_organisations
from crm.pipeline import board as board_data
from crm.pipeline import gates, panels, services
from crm.pipeline.blueprint import bp
from crm.pipeline.forms import EngageForm, MoveForm, show_error
from crm.web import locale


@bp.get("/")
@login_required
@require("pipeline.view")
def board():
    """Show one column per stage with its count and a page of cards, filtered."""
    programmes = board_data.all_programmes()
    filters = board_data.parse_filters(request.args, programmes)
    pages = {key: page_number(f"p_{key}") for key in board_data.COLUMNS}
    columns = board_data.build(current_user, filters, pages, current_app.config["BOARD_PAGE_SIZE"])
    return render_template(
        "pipeline/board.html",
        columns=columns,
        filters=filters,
        programmes=programmes,
        sectors=listing.sector_groups(),
        districts=listing.districts(),
        owners=listing.owner_rows(),
        associations=board_data.association_options(current_user),
        stages=ALL_STAGES,
        # Translated once here for the shared move dialog.
        stage_labels={stage: label("stage", stage) for stage in ALL_STAGES},
        exits=EXITS,
        next_stage=next_stage,
        today=clock.today(),
    )


# --- moving an engagement -------------------------------------------------------------------------------


def move_form(engagement: Engagement) -> MoveForm:
    """Build the move form with the active barriers and the company's contacts."""
    form = MoveForm()
    barriers = db.session.scalars(select(Barrier).where(Barrier.active.is_(True)).order_by(Barrier.id))
    contacts = visible_contacts(current_user).where(Contact.organisation_id == engagement.organisation_id)
    contacts = contacts.order_by(Contact.last_name, Contact.first_name)
    form.set_choices(list(barriers), list(db.session.scalars(contacts)), locale())
    if request.method == "GET":
        wanted = request.args.get("to_stage")
        form.to_stage.data = wanted if wanted in ALL_STAGES else next_stage(engagement.stage)
        form.version.data = str(engagement.version_id)
    return form


def next_stage(stage: str) -> str:
    """Return the stage after this one on the forward path (itself at the end or on an exit)."""
    at = services.position(stage)
    return STAGES[at + 1] if 0 <= at < len(STAGES) - 1 else stage


def back_url(engagement: Engagement) -> str:
    """Return where to go after the move: ?next= if local, else the board of its programme."""
    fallback = url_for("pipeline.board", programme=engagement.programme_id)
    return safe_next(request.args.get("next")) or fallback


def render_move(form: MoveForm, engagement: Engagement, status: int = 200, **extra: Any):
    """Render the move page."""
    needs_letter = gates.needs_letter(engagement, "loi_signed")
    page = render_template(
        "pipeline/move.html",
        form=form,
        engagement=engagement,
        needs_letter=needs_letter,
        exits=EXITS,
        cancel_url=back_url(engagement),
        **extra,
    )
    return page, status


def form_url(engagement: Engagement, to_stage: str | None) -> str:
    """Return the full move page for this target, for moves the board cannot make alone."""
    stage = to_stage if to_stage in ALL_STAGES else None
    return url_for("pipeline.move", engagement_id=engagement.id, to_stage=stage)


def json_refusal(engagement: Engagement, message: str, status: int, **extra: Any):
    """Answer the board's script with the refusal and where the full form is."""
    body = {"ok": False, "error": message, "form_url": form_url(engagement, request.form.get("to_stage"))}
    return jsonify({**body, **extra}), status


def conflict_message(engagement: Engagement) -> str:
    """Explain that someone else moved the company, and where it is now."""
    return _(
        "Someone else moved this company after you opened this page; nothing was saved. "
        "It is now at “%(stage)s” since %(day)s.",
        stage=label("stage", engagement.stage),
        day=engagement.stage_since.strftime("%d/%m/%Y"),
    )


def refuse_conflict(form: MoveForm, engagement: Engagement):
    """Show the current state; the form keeps the user's entries and now carries the new version."""
    discard_work()  # the page reads where the company is now, which the failed move hides
    message = conflict_message(engagement)
    if wants_json():
        return json_refusal(engagement, message, 409, conflict=True)
    form.version.data = str(engagement.version_id)
    return render_move(form, engagement, 409, conflict=message)


def refuse(form: MoveForm, engagement: Engagement, exc: UserError):
    """Show a rule's refusal next to its field; nothing was written."""
    discard_work()  # a letter recorded on the way would otherwise count on the page shown again
    if wants_json():
        return json_refusal(engagement, exc.message, 422, field=exc.field)
    form.show_error(exc.message, exc.field)
    return render_move(form, engagement, 422)


def invalid(form: MoveForm, engagement: Engagement):
    """Answer a form that did not validate (400), or show it on GET."""
    if not form.is_submitted():
        return render_move(form, engagement)
    if wants_json():
        first = next((errors[0] for errors in form.errors.values() if errors), _("Check the form."))
        return json_refusal(engagement, str(first), 400)
    return render_move(form, engagement, 400)


def moved(engagement: Engagement):
    """Answer a successful move: JSON for the board's script, else a flash and a redirect."""
    if wants_json():
        stage = engagement.stage
        return jsonify(
            ok=True,
            id=engagement.id,
            stage=stage,
            label=label("stage", stage),
            version=engagement.version_id,
            since=engagement.stage_since.isoformat(),
        )
    name = engagement.organisation.legal_name
    flash(_("%(name)s moved to “%(stage)s”.", name=name, stage=label("stage", engagement.stage)), "success")
    return redirect(back_url(engagement))


@bp.route("/engagements/<int:engagement_id>/move", methods=["GET", "POST"])
@login_required
@require("pipeline.move")
def move(engagement_id: int):
    """Move an engagement to another stage, recording the letter of interest if asked."""
    engagement = get_or_404(board_data.visible_engagements(current_user), engagement_id)
    form = move_form(engagement)
    if not form.validate_on_submit():
        return invalid(form, engagement)
    try:
        gates.move_with_evidence(
            engagement, form.move(), form.letter(), current_user.id, clock.today(), form.loaded_version()
        )
    except StaleEditError:
        return refuse_conflict(form, engagement)
    except UserError as exc:
        return refuse(form, engagement, exc)
    return moved(engagement)


# --- starting an engagement -----------------------------------------------------------------------------


def engage_form(org: Organisation) -> EngageForm:
    """Build the engage form with the open programmes and the company's associations."""
    form = EngageForm(prefix="engage")
    programmes = panels.open_programmes(panels.engagements_of(org.id))
    form.set_choices(programmes, panels.member_associations(current_user, org.id), locale())
    return form


def start_values(form: EngageForm, org: Organisation) -> tuple[Any, dict[str, Any]]:
    """Return the chosen open programme and the referral, refusing choices not offered."""
    programme = next((p for p in panels.open_programmes([]) if p.id == form.programme_id.data), None)
    if programme is None:
        raise UserError(_("Choose an active programme."), "programme_id")
    offered = {a.id for a in panels.member_associations(current_user, org.id)}
    source = form.source_association_id.data
    if source is not None and source not in offered:
        raise UserError(_("Choose one of the company's associations."), "source_association_id")
    return programme, {"source_association_id": source}


def render_engage(form: EngageForm, org: Organisation, status: int = 200):
    """Render the engage page."""
    return render_template("pipeline/engage.html", form=form, org=org), status


def start_engagement(form: EngageForm, org: Organisation) -> None:
    """Open the engagement, turning a simultaneous duplicate into the service's refusal."""
    programme, source = start_values(form, org)
    try:
        services.start(org, programme, form.move(), current_user.id, clock.today(), **source)
    except IntegrityError:
        discard_work()  # before _(): after a failed flush the session cannot even read the user's language
        raise UserError(_("The company is already engaged in this programme."), "programme_id") from None


@bp.route("/organisations/<int:org_id>/engage", methods=["GET", "POST"])
@login_required
@require("pipeline.move")
def engage(org_id: int):
    """Start a company's engagement in a programme."""
    org = get_or_404(visible_organisations(current_user), org_id)
    if org.kind != OrgKind.COMPANY:
        deny()
    form = engage_form(org)
    if not form.validate_on_submit():
        return render_engage(form, org, 400 if form.is_submitted() else 200)
    try:
        start_engagement(form, org)
    except UserError as exc:
        discard_work()
        show_error(form, exc.message, exc.field, "programme_id")
        return render_engage(form, org, 422)
    flash(_("%(name)s now takes part in the programme.", name=org.legal_name), "success")
    return redirect(url_for("organisations.detail", org_id=org.id) + "#pipeline")

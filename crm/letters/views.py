"""Views of the letters feature: list, create, page, edit, delete, document download, materialisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from crm import clock, saved_views
from crm.contacts.services import contacts_of
from crm.documents import limit_mb, send_document
from crm.errors import StaleEditError, UserError, discard_work
from crm.history import present
from crm.letters import cofinance, forms, gate, listing, materialisations, services, view_views
from crm.letters.blueprint import bp
from crm.letters.rules import soles_per_dollar
from crm.models import LETTER_KINDS, Letter, Organisation
from crm.pagination import paginate
from crm.permissions import can, deny, get_or_404, require, visible_organisations
from crm.pipeline.forms import NOTE_MAX
from crm.saved_view_routes import open_default
from crm.web import locale, page_size, to_id


def overdue_days() -> int:
    """Return after how many days a requested letter counts as overdue."""
    return current_app.config["LETTER_OVERDUE_DAYS"]


@bp.app_template_filter("money")
def money(value: Any) -> str:
    """Format an amount with two decimals in the user's locale."""
    return "" if value is None else format_decimal(value, format="#,##0.00")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc: RequestEntityTooLarge):
    """Explain that the scan is over the limit, instead of a bare 413; nothing was saved."""
    discard_work()
    back = request.full_path.rstrip("?") if request.endpoint in ("letters.new", "letters.edit") else None
    message = _(
        "The file is larger than %(limit)s MB. Nothing was saved: choose a smaller file "
        "(for example, scan at a lower resolution) and try again.",
        limit=limit_mb(),
    )
    return render_template("letters/too_large.html", message=message, back=back), 413


@bp.get("/")
@login_required
@require("letter.view")
def index():
    """List, filter and sort letters, with counts per status and co-finance totals (bare: default view)."""
    if (redirect_to := open_default(view_views.LIST, "letters.index")) is not None:
        return redirect_to
    filters, today, days = listing.parse_filters(request.args), clock.today(), overdue_days()
    page = paginate(listing.list_query(current_user, filters, today, days), page_size())
    counts, overdue = listing.status_counts(current_user, filters, today, days)
    ids = listing.filtered_ids(current_user, filters, today, days)
    return render_template(
        "letters/index.html",
        page=page,
        filters=filters,
        counts=counts,
        overdue=overdue,
        days=days,
        today=today,
        figures=materialisations.figures([x.id for x in page.items if x.kind == "cofinance"]),
        totals=cofinance.totals(Letter.id.in_(ids)),
        programmes=listing.programmes(),
        **saved_views.offered(current_user, view_views.LIST, request.args),
    )


def organisation_arg() -> int | None:
    """Return ?organisation_id= as an id (None when absent); deny anything else."""
    raw = request.args.get("organisation_id", "").strip()
    if not raw:
        return None
    org_id = to_id(raw)
    if org_id is None:
        deny()
    return org_id


def letter_form(org: Organisation, letter: Letter | None = None, **kwargs: Any) -> forms.LetterForm:
    """Build the letter form with the programme and signatory options."""
    form = forms.LetterForm(**kwargs)
    programmes = listing.programmes(letter.programme_id if letter else None)
    form.set_choices(programmes, contacts_of(current_user, org.id), locale())
    return form


def render_form(form: forms.LetterForm, org: Organisation, letter: Letter | None, status: int = 200, **extra):
    """Render the create/edit form."""
    page = render_template(
        "letters/form.html", form=form, org=org, letter=letter, limit_mb=limit_mb(), **extra
    )
    return page, status


def choose_organisation():
    """Show a search to pick the organisation a new letter comes from."""
    term = (request.args.get("q") or "").strip()[:200]
    found = listing.organisations_matching(current_user, term)
    kind = request.args.get("kind") if request.args.get("kind") in LETTER_KINDS else None
    return render_template("letters/choose.html", q=term, organisations=found, kind=kind)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("letter.edit")
def new():
    """Record a letter from an organisation (first choosing it when not given)."""
    org_id = organisation_arg()
    if org_id is None:
        return choose_organisation()
    org = get_or_404(visible_organisations(current_user), org_id)
    kind = request.args.get("kind") if request.args.get("kind") in LETTER_KINDS else None
    form = letter_form(org, data={"kind": kind, "status": "requested", "currency": "USD"})
    if not form.validate_on_submit():
        return render_form(form, org, None, 400 if form.is_submitted() else 200)
    try:
        letter = services.create_letter(org.id, form.values(), current_user.id, clock.today(), form.upload())
    except UserError as exc:
        discard_work()  # an uploaded scan goes with the work (crm.letters.scans)
        form.show_problem(exc.field, exc.message)
        return render_form(form, org, None, 400)
    flash(_("Letter recorded."), "success")
    return redirect(url_for("letters.detail", letter_id=letter.id))


def letter_or_404(letter_id: int) -> Letter:
    """Fetch a letter through the user's scope, or deny."""
    return get_or_404(services.visible_letters(current_user), letter_id)


@bp.get("/<int:letter_id>")
@login_required
@require("letter.view")
def detail(letter_id: int):
    """Show a letter, its document and, for co-finance, its materialisation."""
    letter = letter_or_404(letter_id)
    return render_detail(letter, forms.MaterialisationForm(formdata=None))


def render_detail(letter: Letter, entry_form: forms.MaterialisationForm, status: int = 200):
    """Render the letter page."""
    page = render_template(
        "letters/detail.html",
        letter=letter,
        figures=materialisations.figures([letter.id]).get(letter.id),
        entry_form=entry_form,
        csrf_form=forms.CsrfForm(),
        relying=gate.relying(letter) if can(current_user, "letter.edit") else [],
        before_gate=gate.BEFORE_GATE,
        local_rate=soles_per_dollar(letter.exchange_rate) if letter.currency == "PEN" else None,
    )
    return page, status


def render_conflict(form: forms.LetterForm, letter_id: int, exc: StaleEditError):
    """Show what others changed since the user loaded the form; nothing was saved."""
    changes = exc.changes
    if not changes:
        discard_work()  # the flush lost the race; the session cannot read until it is rolled back
        changes = services.changes_since(letter_id, form.loaded_version())
    letter = letter_or_404(letter_id)
    # The form now carries the current version: saving again is a deliberate overwrite.
    form.version.data = str(letter.version_id)
    form.version.raw_data = [form.version.data]
    return render_form(form, letter.organisation, letter, 409, conflict=present(changes))


@bp.route("/<int:letter_id>/edit", methods=["GET", "POST"])
@login_required
@require("letter.edit")
def edit(letter_id: int):
    """Edit a letter, refusing to overwrite changes saved since the form was loaded."""
    letter = letter_or_404(letter_id)
    org = letter.organisation
    form = letter_form(org, letter, obj=letter, data=forms.edit_data(letter))
    forms.show_local_rate(form, letter)
    if not form.validate_on_submit():
        return render_form(form, org, letter, 400 if form.is_submitted() else 200)
    try:
        services.update_letter(
            letter, form.values(), form.loaded_version(), clock.today(), current_user.id, form.upload()
        )
    except StaleEditError as exc:
        return render_conflict(form, letter_id, exc)
    except UserError as exc:
        discard_work()
        form.show_problem(exc.field, exc.message)
        letter = letter_or_404(letter_id)
        return render_form(form, letter.organisation, letter, 400)
    flash(_("Changes saved."), "success")
    return redirect(url_for("letters.detail", letter_id=letter_id))


@bp.post("/<int:letter_id>/delete")
@login_required
@require("letter.edit")
def delete(letter_id: int):
    """Delete a letter with its materialisation entries and its scan."""
    letter = letter_or_404(letter_id)
    if not forms.CsrfForm().validate_on_submit():
        return redirect(url_for("letters.detail", letter_id=letter_id))
    org_id = letter.organisation_id
    try:
        delete_or_move_back(letter)  # the scan's file goes once the request commits (crm.letters.scans)
    except StaleEditError:
        return refused(letter_id, gate.moved_meanwhile)
    except UserError as exc:
        return refused(letter_id, exc.message)  # neither the engagements nor the letter change
    flash(_("Letter deleted."), "success")
    return redirect(url_for("organisations.detail", org_id=org_id))


def refused(letter_id: int, message: str | Callable[[], str]):
    """Say why nothing changed and go back to the letter (a callable message is built after discarding)."""
    discard_work()  # the redirect would commit; and after a failed flush _() cannot read the user's language
    flash(message if isinstance(message, str) else message(), "error")
    return redirect(url_for("letters.detail", letter_id=letter_id))


def delete_or_move_back(letter: Letter) -> None:
    """Delete the letter, first moving back the engagements relying on it when the user asked to."""
    if request.form.get("move_back") and can(current_user, "pipeline.move"):
        note = (request.form.get("note") or "")[:NOTE_MAX]
        gate.move_back(letter, note, current_user.id, clock.today())
    services.delete_letter(letter)


@bp.get("/<int:letter_id>/document")
@login_required
@require("letter.view")
def document(letter_id: int):
    """Download the letter's scan with its original name (only through the user's scope)."""
    letter = letter_or_404(letter_id)
    if letter.document is None:
        deny()
    return send_document(letter.document)


@bp.post("/<int:letter_id>/materialisations")
@login_required
@require("letter.edit")
def add_entry(letter_id: int):
    """Record an amount of the commitment that was disbursed or delivered."""
    letter = letter_or_404(letter_id)
    form = forms.MaterialisationForm()
    if not form.validate_on_submit():
        return render_detail(letter, form, 400)
    values = (form.occurred_on.data, form.amount.data, form.note.data)
    try:
        materialisations.add_materialisation(letter, *values, clock.today())
    except StaleEditError:
        return refused(letter_id, materialisations.conflict_message)
    except UserError as exc:
        if exc.field not in ("occurred_on", "amount"):  # about the letter itself, not a field
            return refused(letter_id, exc.message)
        discard_work()
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
        return render_detail(letter_or_404(letter_id), form, 400)
    flash(_("Materialisation recorded."), "success")
    return redirect(url_for("letters.detail", letter_id=letter_id, _anchor="materialisation"))


@bp.post("/<int:letter_id>/materialisations/<int:entry_id>/delete")
@login_required
@require("letter.edit")
def remove_entry(letter_id: int, entry_id: int):
    """Delete one materialisation entry of the letter."""
    letter = letter_or_404(letter_id)
    if not forms.CsrfForm().validate_on_submit():
        return redirect(url_for("letters.detail", letter_id=letter_id))
    try:
        found = materialisations.remove_materialisation(letter, entry_id)
    except StaleEditError:
        return refused(letter_id, materialisations.conflict_message)
    if not found:
        deny()
    flash(_("Materialisation entry deleted."), "success")
    return redirect(url_for("letters.detail", letter_id=letter_id, _anchor="materialisation"))

"""Compose an e-mail to an organisation's contacts (choose, edit, preview, send) and withdraw consent."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.compose import services
from crm.compose.blueprint import bp
from crm.compose.catalog import BY_KEY, starting_text
from crm.compose.consent_links import REASONS, contact_of, refusal, withdraw
from crm.compose.forms import ComposeForm, WithdrawForm
from crm.errors import UserError, form_error
from crm.extensions import limiter
from crm.permissions import get_or_404, require, visible_organisations


def start(form: ComposeForm) -> None:
    """Fill a new form from the chosen template and language (query string), with a fresh batch."""
    key = request.args.get("template", "")
    form.template.data = key if key in BY_KEY else form.template.choices[0][0]
    form.language.data = "en" if request.args.get("language") == "en" else "es"
    form.subject.data, form.body.data = starting_text(form.template.data, form.language.data)
    form.contacts.data = [int(c) for c in request.args.getlist("contact") if c.isdigit()]
    form.batch.data = services.new_batch()


def page(form: ComposeForm, org, status: int = 200):
    """Render the compose page with each contact and why they cannot be written to."""
    contacts = [(c, refusal(c) and REASONS[refusal(c)]) for c in services.contacts_of(org)]
    return render_template("compose/compose.html", form=form, org=org, contacts=contacts), status


@bp.route("/organisations/<int:org_id>/compose", methods=["GET", "POST"])
@login_required
@require("email.compose")
def compose(org_id: int):
    """Write to contacts of an organisation: template, edit, preview, send."""
    org = get_or_404(visible_organisations(current_user), org_id)
    form = ComposeForm()
    if request.method == "GET":
        start(form)
        return page(form, org)
    step = request.form.get("step", "preview")
    if step == "template":  # the template or language changed: start again from its text
        form.subject.data, form.body.data = starting_text(form.template.data, form.language.data)
        form.subject.raw_data = form.body.raw_data = None
        return page(form, org)
    if step == "edit":  # back from the preview, with what was written
        return page(form, org)
    if not form.validate_on_submit():
        return page(form, org, 400)
    return preview_or_send(form, org, step)


def preview_or_send(form: ComposeForm, org, step: str):
    """Show the merged e-mails, or queue them; refuse everything when anything is wrong."""
    try:
        if step == "send":
            count = services.send(org, current_user, form.contacts.data, form.draft())
            flash(_("%(count)d e-mail(s) will be sent.", count=count), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
        items = services.preview(org, current_user, form.contacts.data, form.draft())
    except UserError as exc:
        form_error(form, exc)
        return page(form, org, 422)
    return render_template("compose/preview.html", form=form, org=org, items=items)


def public_link_limit() -> str:
    """Return the rate limit of the pages opened from a link in an e-mail."""
    return current_app.config["PUBLIC_LINK_RATE_LIMIT"]


@bp.route("/baja/<token>", methods=["GET", "POST"])
@limiter.limit(public_link_limit)
def withdraw_page(token: str):
    """Let a contact stop our e-mails without signing in (a signed link; the change needs a POST)."""
    contact = contact_of(token)
    if contact is None:
        abort(404)
    form = WithdrawForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        withdraw(contact)
        return render_template("compose/withdrawn.html")
    return render_template("compose/withdraw.html", form=form, contact=contact)

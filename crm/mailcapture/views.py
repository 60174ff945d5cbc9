"""The review queue, a captured e-mail's page and its attachments, and the personal dropbox address."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.documents import send_document
from crm.errors import UserError
from crm.extensions import db
from crm.mailcapture import services
from crm.mailcapture.blueprint import bp
from crm.mailcapture.forms import ReviewForm
from crm.models import Document, EmailMessage, Organisation
from crm.models.mailcapture import EmailStatus
from crm.pagination import paginate
from crm.permissions import can, deny, require, visible_organisations
from crm.privacy.trail import record_read
from crm.web import page_size, to_id

ORG_ID = re.compile(r"#(\d+)\)?\s*$")


@bp.app_context_processor
def dropbox_section() -> dict:
    """Give the preferences page its dropbox section (the user's address, read when shown)."""
    if not can(current_user, "email.dropbox"):
        return {}
    return {"mail_dropbox": lambda: services.dropbox_address(current_user.id)}


@bp.get("/review")
@login_required
@require("email.review")
def review():
    """List the e-mails no organisation was found for, newest first."""
    query = (
        select(EmailMessage)
        .where(EmailMessage.status == EmailStatus.REVIEW)
        .order_by(EmailMessage.sent_at.desc(), EmailMessage.id.desc())
    )
    page = paginate(query, page_size())
    return render_template(
        "mailcapture/review.html",
        page=page,
        form=ReviewForm(formdata=None),
        names={e.id: services.split_name(e.from_name, e.from_address) for e in page.items},
    )


def chosen_organisation(text: str | None) -> Organisation:
    """Return the visible organisation named in the field ("Name (#12)", or the exact legal name)."""
    text = (text or "").strip()
    found = ORG_ID.search(text)
    query = visible_organisations(current_user)
    query = (
        query.where(Organisation.id == int(found.group(1)))
        if found
        else query.where(Organisation.legal_name == text)
    )
    organisation = db.session.scalars(query.limit(2)).unique().all() if text else []
    if len(organisation) != 1:
        raise UserError(_("Choose an organisation from the list."), field="organisation")
    return organisation[0]


def review_action(email_id: int, act) -> object:
    """Run a review action; a refusal is flashed and nothing changes."""
    if to_id(email_id) is None:
        abort(404)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("Please correct the marked fields."), "error")
        return redirect(url_for("mailcapture.review"))
    try:
        message = act(form)
    except UserError as exc:  # raised before anything was written
        flash(str(exc), "error")
        return redirect(url_for("mailcapture.review"))
    flash(message, "success")
    return redirect(url_for("mailcapture.review"))


@bp.post("/review/<int:email_id>/assign")
@login_required
@require("email.review")
def assign(email_id: int):
    """Log a waiting e-mail with an organisation."""

    def act(form: ReviewForm) -> str:
        org = chosen_organisation(form.organisation.data)
        services.assign(email_id, org.id, services.contacts_in(email_id, org.id), current_user.id)
        return _("The e-mail was logged with %(name)s.", name=org.legal_name)

    return review_action(email_id, act)


@bp.post("/review/<int:email_id>/contact")
@login_required
@require("email.review")
def create_contact(email_id: int):
    """Create the sender as a contact of an organisation and log the e-mail with them."""

    def act(form: ReviewForm) -> str:
        org = chosen_organisation(form.organisation.data)
        if not (form.first_name.data or "").strip():
            raise UserError(_("Enter the contact's first name."), field="first_name")
        first, last = form.first_name.data.strip(), (form.last_name.data or "").strip()
        services.create_sender_contact(email_id, org.id, first, last, current_user.id)
        return _(
            "%(name)s was added to %(org)s and the e-mail logged.", name=f"{first} {last}", org=org.legal_name
        )

    return review_action(email_id, act)


@bp.post("/review/<int:email_id>/discard")
@login_required
@require("email.review")
def discard(email_id: int):
    """Throw a waiting e-mail away."""

    def act(_form: ReviewForm) -> str:
        services.discard(email_id)
        return _("The e-mail was discarded.")

    return review_action(email_id, act)


def readable_email(email_id: int) -> EmailMessage:
    """Return a logged e-mail whose organisation the user may see (404 otherwise)."""
    email = db.session.get(EmailMessage, email_id) if to_id(email_id) else None
    if email is None or email.status not in (EmailStatus.LOGGED, EmailStatus.REVIEW):
        abort(404)
    if email.status == EmailStatus.REVIEW and not can(current_user, "email.review"):
        deny()
    if email.organisation_id is not None:
        visible = visible_organisations(current_user).where(Organisation.id == email.organisation_id)
        if db.session.scalars(visible.limit(1)).first() is None:
            deny()
    return email


@bp.get("/emails/<int:email_id>")
@login_required
@require("email.body")
def email_detail(email_id: int):
    """Show a captured e-mail in full: participants, body, attachments, its thread."""
    email = readable_email(email_id)
    thread = db.session.scalars(
        select(EmailMessage)
        .where(EmailMessage.thread_id == email.thread_id, EmailMessage.status == EmailStatus.LOGGED)
        .order_by(EmailMessage.sent_at)
        .limit(50)
    ).all()
    if email.organisation_id is not None:  # the body and attachments of a company's e-mail: a traced read
        record_read(email.organisation_id, "email", ("body_text", "attachments", "participants"))
    return render_template("mailcapture/email.html", email=email, thread=thread)


@bp.get("/emails/<int:email_id>/attachments/<int:document_id>")
@login_required
@require("email.body")
def attachment(email_id: int, document_id: int):
    """Send one stored attachment of an e-mail."""
    email = readable_email(email_id)
    if to_id(document_id) is None or not any(a.get("document_id") == document_id for a in email.attachments):
        abort(404)
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    return send_document(document)


@bp.post("/dropbox")
@login_required
@require("email.dropbox")
def new_dropbox():
    """Give the user a new dropbox address (the old one stops working)."""
    services.issue_token(current_user.id, "dropbox")
    flash(_("Your new dropbox address is ready; the previous one no longer works."), "success")
    return redirect(url_for("auth.preferences", _anchor="dropbox"))


@bp.post("/dropbox/revoke")
@login_required
@require("email.dropbox")
def revoke_dropbox():
    """Switch the user's dropbox address off."""
    services.revoke_token(current_user.id, "dropbox")
    flash(_("Your dropbox address no longer works."), "success")
    return redirect(url_for("auth.preferences", _anchor="dropbox"))

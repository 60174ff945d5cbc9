"""Administrators configure the mailboxes the CRM reads and see how each one is doing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from redis.exceptions import RedisError
from sqlalchemy import select

from crm.errors import UserError, form_error
from crm.extensions import db
from crm.mailcapture import services
from crm.mailcapture.blueprint import bp
from crm.mailcapture.forms import MailboxForm
from crm.mailcapture.jobs import fetch_mailbox, job_id_of
from crm.models import Mailbox, User
from crm.permissions import can, require, roles_with
from crm.web import to_id


@bp.app_context_processor
def system_section() -> dict:
    """Give the System page its mailbox section (read when shown)."""
    if not can(current_user, "mailbox.admin"):
        return {}
    return {"capture_mailboxes": lambda: db.session.scalars(select(Mailbox).order_by(Mailbox.name)).all()}


def owner_choices() -> list[tuple[int, str]]:
    """Return the users an e-mail may be logged as."""
    query = select(User).where(User.active.is_(True), User.role.in_(roles_with("email.dropbox")))
    return [(u.id, f"{u.name} <{u.email}>") for u in db.session.scalars(query.order_by(User.name))]


@bp.get("/mailboxes")
@login_required
@require("mailbox.admin")
def mailboxes():
    """List the mailboxes with their last success and last error."""
    rows = db.session.scalars(select(Mailbox).order_by(Mailbox.name)).all()
    return render_template("mailcapture/mailboxes.html", mailboxes=rows, review=services.review_count())


@bp.route("/mailboxes/new", methods=["GET", "POST"])
@login_required
@require("mailbox.admin")
def new_mailbox():
    """Add a mailbox."""
    return mailbox_form(None)


@bp.route("/mailboxes/<int:mailbox_id>/edit", methods=["GET", "POST"])
@login_required
@require("mailbox.admin")
def edit_mailbox(mailbox_id: int):
    """Change a mailbox (an empty password keeps the stored one)."""
    mailbox = (to_id(mailbox_id) and db.session.get(Mailbox, mailbox_id)) or abort(404)
    return mailbox_form(mailbox)


def mailbox_form(mailbox: Mailbox | None):
    """Show and save the mailbox form."""
    form = MailboxForm(obj=mailbox)
    form.owner_id.choices = owner_choices()
    if form.validate_on_submit():
        try:
            saved = services.save_mailbox(mailbox, form.values(), form.password.data)
        except UserError as exc:
            form_error(form, exc)
        else:
            flash(_("The mailbox %(name)s was saved.", name=saved.name), "success")
            return redirect(url_for("mailcapture.mailboxes"))
    status = 400 if form.is_submitted() else 200
    return render_template("mailcapture/mailbox_form.html", form=form, mailbox=mailbox), status


@bp.post("/mailboxes/<int:mailbox_id>/fetch")
@login_required
@require("mailbox.admin")
def fetch_now(mailbox_id: int):
    """Read a mailbox now (its backoff is cleared)."""
    mailbox = (to_id(mailbox_id) and db.session.get(Mailbox, mailbox_id)) or abort(404)
    mailbox.next_attempt_at = None
    try:
        fetch_mailbox.enqueue(mailbox.id, job_id=job_id_of(mailbox.id))
    except RedisError:
        flash(_("The job queue does not answer; the mailbox will be read at the next periodic run."), "error")
    else:
        flash(_("The mailbox %(name)s will be read in a moment.", name=mailbox.name), "success")
    return redirect(url_for("mailcapture.mailboxes"))

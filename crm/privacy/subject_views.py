"""Ley 29733 data-subject pages: a contact's export (printable and JSON) and their erasure."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from crm import clock
from crm.letters.erasure import signed_scans
from crm.models import Contact
from crm.permissions import get_or_404, require, visible_contacts
from crm.privacy.blueprint import bp
from crm.privacy.erasure import erase_contact
from crm.privacy.export import subject_data
from crm.privacy.trail import record_read


class EraseForm(FlaskForm):
    """The reason of an erasure (the person's request and its date)."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    drop_letter_scans = BooleanField(_l("Also delete the scans of the letters this person signed"))


def contact_or_404(contact_id: int) -> Contact:
    """Return the contact or answer 404 (through the scoped query: ids beyond 32 bits included)."""
    return get_or_404(visible_contacts(current_user), contact_id)


def exported(contact: Contact) -> dict[str, Any]:
    """Return the contact's data and note the read in the trail (under their company)."""
    if contact.organisation_id is not None:
        record_read(contact.organisation_id, "contact_data", ("export",))
    return subject_data(contact)


@bp.route("/contact/<int:contact_id>/data")
@login_required
@require("privacy.subject")
def subject(contact_id: int):
    """Show everything held about a contact, printable."""
    contact = contact_or_404(contact_id)
    return render_template(
        "privacy/subject.html", contact=contact, data=exported(contact), today=clock.today()
    )


@bp.route("/contact/<int:contact_id>/data.json")
@login_required
@require("privacy.subject")
def subject_json(contact_id: int):
    """Download everything held about a contact as JSON."""
    contact = contact_or_404(contact_id)
    body = json.dumps(exported(contact), ensure_ascii=False, indent=2, default=str)
    name = f"contacto-{contact.id}-datos.json"
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/contact/<int:contact_id>/erase", methods=["GET", "POST"])
@login_required
@require("privacy.erase")
def erase(contact_id: int):
    """Ask for the reason and erase the contact everywhere."""
    contact = contact_or_404(contact_id)
    form = EraseForm()
    if contact.erased_at is None and form.validate_on_submit():
        erase_contact(contact.id, current_user.id, form.reason.data, form.drop_letter_scans.data)
        flash(_("The person was erased everywhere; the erasure is recorded without their data."), "success")
        return redirect(url_for("privacy.subject", contact_id=contact.id))
    scans = signed_scans(contact.id) if contact.erased_at is None else []
    page = render_template("privacy/erase.html", contact=contact, form=form, scans=scans)
    return page, 422 if form.errors else 200

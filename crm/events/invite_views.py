"""Views of invitations: choose who to invite, preview the recipients and the e-mail, send."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.errors import UserError, form_error
from crm.events import invite, registration
from crm.events.blueprint import bp
from crm.events.invite_forms import InviteForm
from crm.events.invite_mail import invitation_text, public_link
from crm.events.views import events
from crm.models import Contact, Event
from crm.organisations import saved_views
from crm.permissions import get_or_404, require
from crm.web import format_locale, locale


def sample_texts(event: Event, contact: Contact | None, note: str) -> list[tuple[str, str, str]]:
    """Return (language, subject, text) of the invitation in each language, for the first recipient."""
    person = contact or Contact(first_name=_("Name"), last_name="")
    link = public_link(event) + "?i=…" if event.public_token else _("(personal registration link)")
    texts = []
    for language, name in (("es", "Español"), ("en", "English")):
        with force_locale(format_locale(language)):
            texts.append((name, *invitation_text(event, person, note, link)))
    return texts


def render_invite(event: Event, form: InviteForm, status: int = 200):
    """Render the invitation page: filters, how many people, the first of them and the e-mail."""
    filters = invite.parse_filters(request.values)
    count, rows = invite.preview(current_user, event, filters)
    page = render_template(
        "events/invite.html",
        event=event,
        form=form,
        filters=filters,
        count=count,
        rows=rows,
        invited=invite.already_invited(event),
        limit=invite.MAX_RECIPIENTS,
        texts=sample_texts(event, rows[0] if rows else None, form.note.data or ""),
    )
    return page, status


@bp.route("/<int:event_id>/invite", methods=["GET", "POST"])
@login_required
@require("event.edit")
def invite_page(event_id: int):
    """Choose who to invite and preview (GET); send the invitations (POST)."""
    event = get_or_404(events(), event_id)
    form = InviteForm(formdata=request.form if request.method == "POST" else request.args)
    form.fill(locale(), saved_views.views_of(current_user))
    if request.method == "GET":
        return render_invite(event, form)
    if not form.validate_on_submit():
        return render_invite(event, form, 400)
    try:
        filters = invite.parse_filters(request.form)
        sent = invite.send(current_user, event, filters, form.language.data, form.note.data or "")
    except UserError as exc:
        form_error(form, exc)
        return render_invite(event, form, 422)
    flash(_("%(count)s invitation(s) will be sent.", count=sent), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.post("/<int:event_id>/registration")
@login_required
@require("event.edit")
def toggle_registration(event_id: int):
    """Open or close the event's public registration page."""
    event = get_or_404(events(), event_id)
    if request.form.get("open") == "1":
        registration.open_registration(event)
        flash(_("The registration page is open."), "success")
    else:
        registration.close_registration(event)
        flash(_("The registration page is closed."), "success")
    return redirect(url_for("events.detail", event_id=event.id) + "#registration")

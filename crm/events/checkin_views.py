"""Views of the check-in at the door: the registered list on a phone, ticking arrivals, undo and walk-ins."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import EmailField, RadioField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

from crm.errors import UserError, discard_work, form_error, wants_json
from crm.events import checkin
from crm.events.blueprint import bp
from crm.events.forms import optional_int
from crm.events.views import events
from crm.labels import choices
from crm.models import Event
from crm.permissions import get_or_404, require
from crm.templating import fmt_number

SEARCH_MAX = 100


class WalkInForm(FlaskForm):
    """A person who arrives without having registered: registered by the team and marked arrived at once."""

    first_name = StringField(
        _l("First name"), validators=[InputRequired(message=_l("Enter the first name.")), Length(max=80)]
    )
    last_name = StringField(
        _l("Last name"), validators=[InputRequired(message=_l("Enter the last name.")), Length(max=80)]
    )
    organisation_name = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    gender = RadioField(_l("Gender"), choices=choices("gender"), validate_choice=False)
    email = EmailField(
        _l("E-mail"),
        validators=[Optional(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))],
    )

    def walk_in(self) -> checkin.WalkIn:
        """Return the submitted person for the service."""
        return checkin.WalkIn(
            first_name=(self.first_name.data or "").strip(),
            last_name=(self.last_name.data or "").strip(),
            organisation_name=(self.organisation_name.data or "").strip() or None,
            gender=self.gender.data or None,
            email=(self.email.data or "").strip() or None,
        )


def asks_json() -> bool:
    """Return whether the page's script (or any caller asking for JSON) sent the request."""
    return wants_json() or bool(request.headers.get("X-Requested-With"))


def list_state(source) -> dict:
    """Return the search, the pending-only switch and the page the user was on, from args or form."""
    term = (source.get("q") or "").strip()[:SEARCH_MAX]
    pending = source.get("pending") == "1"
    number = optional_int(source.get("page")) or 1
    return {"q": term or None, "pending": "1" if pending else None, "page": number if number > 1 else None}


def render_page(event: Event, form: WalkInForm | None = None, status: int = 200):
    """Render the door list with its counters, search and walk-in form."""
    state = list_state(request.args)
    rows = checkin.registered_page(event.id, state["q"] or "", bool(state["pending"]), state["page"] or 1)
    page = render_template(
        "events/checkin.html",
        event=event,
        rows=rows,
        counts=checkin.counts(event.id),
        state=state,
        form=form or WalkInForm(formdata=None),
    )
    return page, status


@bp.get("/<int:event_id>/checkin")
@login_required
@require("event.edit")
def checkin_page(event_id: int):
    """Show the registered people of an event with a button to tick each arrival."""
    return render_page(get_or_404(events(), event_id))


def back(event: Event, contact_id: int | None = None):
    """Go back to the door list, keeping the search, and to the person's row."""
    anchor = f"#person-{contact_id}" if contact_id else ""
    return redirect(url_for("events.checkin_page", event_id=event.id, **list_state(request.form)) + anchor)


def answer(event: Event, contact_id: int, attended: bool, already: bool, message: str):
    """Answer a tick or an undo: JSON with the counters for the script, else a flash and the list."""
    if asks_json():
        found = checkin.counts(event.id)
        return jsonify(
            ok=True,
            attended=attended,
            already=already,
            present=found.arrived,
            registered=found.registered,
            total=found.present,
            present_text=fmt_number(found.arrived),
            total_text=fmt_number(found.present),
            message=message,
        )
    flash(message, "warning" if already else "success")
    return back(event, contact_id)


def refusal(event: Event, message: str):
    """Say why nothing changed: JSON 422 for the script, else a flash and the list."""
    discard_work()
    if asks_json():
        return jsonify(ok=False, error=message), 422
    flash(message, "warning")
    return back(event)


def ticked(event_id: int, contact_id: str, arriving: bool):
    """Apply a tick or its undo and answer with what happened (a repeat changes nothing and says so)."""
    event = get_or_404(events(), event_id)
    service = checkin.check_in if arriving else checkin.undo_check_in
    try:
        tick = service(event, optional_int(contact_id))
    except UserError as exc:
        return refusal(event, exc.message)
    name = tick.contact.full_name
    if arriving:
        done = _("%(name)s arrived.", name=name)
        repeat = _("%(name)s had already arrived. Nothing was changed.", name=name)
    else:
        done = _("%(name)s is no longer marked as arrived.", name=name)
        repeat = _("%(name)s had not arrived. Nothing was changed.", name=name)
    return answer(event, tick.contact.id, arriving, tick.already, repeat if tick.already else done)


@bp.post("/<int:event_id>/checkin/<contact_id>")
@login_required
@require("event.edit")
def check_in(event_id: int, contact_id: str):
    """Tick a registered person's arrival (a repeated tick changes nothing)."""
    return ticked(event_id, contact_id, True)


@bp.post("/<int:event_id>/checkin/<contact_id>/undo")
@login_required
@require("event.edit")
def undo_check_in(event_id: int, contact_id: str):
    """Take back a tick made by mistake (the person stays registered)."""
    return ticked(event_id, contact_id, False)


@bp.post("/<int:event_id>/checkin/walk-in")
@login_required
@require("event.edit")
def walk_in(event_id: int):
    """Register a person who came without registering and mark them arrived, in one transaction."""
    event = get_or_404(events(), event_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        return render_page(event, form, 400)
    try:
        contact, created = checkin.walk_in(current_user, event, form.walk_in())
    except UserError as exc:
        if exc.context.get("reason") != "already_attending":
            form_error(form, exc)
            return render_page(event, form, 400)
        name = exc.context["contact"].full_name
        discard_work()
        return not_twice(event, _("%(name)s had already arrived. Nothing was changed.", name=name))
    except IntegrityError:
        discard_work()  # before _(): after a failed flush the session cannot read the user's language
        return not_twice(event, _("This person is already on the list. Nothing was changed."))
    return walked_in(event, contact, created)


def not_twice(event: Event, message: str):
    """Warn that the walk-in was already there and go back to the list (nothing is saved)."""
    flash(message, "warning")
    return back(event)


def walked_in(event: Event, contact, created: bool):
    """Confirm a walk-in, saying whether they were already a contact."""
    name = contact.full_name
    if created:
        flash(_("%(name)s added to the contacts, registered and marked as arrived.", name=name), "success")
    else:
        flash(_("%(name)s was already a contact: registered and marked as arrived.", name=name), "success")
    found = url_for("events.checkin_page", event_id=event.id, q=name[:SEARCH_MAX])  # their row, on any page
    return redirect(f"{found}#person-{contact.id}")

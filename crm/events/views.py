"""Views of the events feature: the list, the event form, the event page and its attendees."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from crm.errors import UserError, discard_work, form_error
from crm.events import attendance, funnel, registration, services
from crm.events.blueprint import bp
from crm.events.forms import AddAttendeeForm, AttendeeSearchForm, EventFilterForm, EventForm, QuickAddForm
from crm.models import Contact, Event
from crm.pagination import page_number
from crm.permissions import can, get_or_404, require
from crm.training.services import offered_modules
from crm.web import locale, page_size


def events() -> Select:
    """Select every event (events are not scoped: every reader sees them all)."""
    return select(Event)


@bp.get("/")
@login_required
@require("event.view")
def index():
    """List events filtered by type, programme and year, with attendance counts."""
    filters = services.parse_filters(request.args)
    form = EventFilterForm(formdata=request.args)
    form.set_choices(services.programmes(filters.programme), services.years(), locale())
    return render_template(
        "events/index.html",
        form=form,
        page=services.event_page(filters, page_size(), page_number()),
        totals=services.totals(filters),
    )


def render_form(form: EventForm, event: Event | None):
    """Render the event form; 400 when the submission had errors."""
    return render_template("events/form.html", form=form, event=event), 400 if form.errors else 200


def save(form: EventForm, event: Event | None):
    """Validate and save the event form, then go to the event's page."""
    form.set_programmes(services.programmes(event.programme_id if event else None), locale())
    form.set_modules(offered_modules(event.training_module_id if event else None), locale())
    if not form.validate_on_submit():
        return render_form(form, event)
    try:
        saved = services.save_event(current_user, event, form.values())
    except UserError as exc:
        form_error(form, exc)
        return render_form(form, event)
    flash(_("Event saved."), "success")
    return redirect(url_for("events.detail", event_id=saved.id))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require("event.edit")
def new():
    """Create an event or training."""
    return save(EventForm(), None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
@require("event.edit")
def edit(event_id: int):
    """Change an event."""
    event = get_or_404(events(), event_id)
    return save(EventForm(obj=event), event)


@bp.post("/<int:event_id>/delete")
@login_required
@require("event.edit")
def delete(event_id: int):
    """Delete an event and its attendance list (the contacts stay)."""
    event = get_or_404(events(), event_id)
    title = event.title
    services.delete_event(event)
    flash(_("Event %(title)s deleted.", title=title), "success")
    return redirect(url_for("events.index"))


def render_detail(event: Event, quick_form: QuickAddForm | None = None, status: int = 200):
    """Render the event page: attendees, counts by gender, search results and the quick-add form."""
    search = AttendeeSearchForm(formdata=request.args)
    term = (search.q.data or "")[:100] if search.validate() else ""
    editable = can(current_user, "event.edit")
    if quick_form is None and editable:
        quick_form = QuickAddForm(formdata=None)
    page = render_template(
        "events/detail.html",
        event=event,
        attendees=attendance.attendee_page(event.id, page_size(), page_number("apage")),
        genders=attendance.gender_counts(event.id),
        funnel=funnel.event_funnel(event.id),
        registrations=funnel.registrations_page(event.id, page_size(), page_number("rpage")),
        waiting=funnel.waiting_review(event.id),
        registration_open=registration.is_open(event),
        search=search,
        found=attendance.search_contacts(current_user, event.id, term) if editable and term else [],
        quick_form=quick_form,
    )
    return page, status


@bp.get("/<int:event_id>")
@login_required
@require("event.view")
def detail(event_id: int):
    """Show an event with its attendees and their counts by gender."""
    return render_detail(get_or_404(events(), event_id))


def back_to(event: Event):
    """Return to the event page, keeping the search the user was on."""
    term = (request.form.get("q") or "")[:100]
    return redirect(url_for("events.detail", event_id=event.id, q=term or None) + "#attendees")


def refused(event: Event, message: str):
    """Say why nothing was added and go back to the event (nothing is saved)."""
    discard_work()  # the answer is a redirect, which would otherwise commit
    flash(message, "warning")
    return back_to(event)


def concurrent_duplicate(event: Event):
    """Report a person someone else put on the list at the same moment (unique pair), not a 500."""
    discard_work()  # before _(): after a failed flush the session cannot even read the user's language
    flash(_("This person is already on the list. Nothing was changed."), "warning")
    return back_to(event)


def added(event: Event, message: str):
    """Confirm the new attendance and go back to the event (the request commits it)."""
    flash(message, "success")
    return back_to(event)


@bp.post("/<int:event_id>/attendees")
@login_required
@require("event.edit")
def add_attendee(event_id: int):
    """Put a contact found by the search on the event's list (once)."""
    event = get_or_404(events(), event_id)
    form = AddAttendeeForm()
    try:
        if not form.validate_on_submit():
            raise UserError(_("Choose a person from the search results."), field="contact_id")
        contact = attendance.add_contact(current_user, event, form.chosen())
    except UserError as exc:
        return refused(event, exc.message)
    except IntegrityError:
        return concurrent_duplicate(event)
    return added(event, _("%(name)s added.", name=contact.full_name))


def quick_added(event: Event, contact: Contact, created: bool):
    """Confirm a quick-added person, saying whether they were already a contact."""
    name = contact.full_name
    if created:
        return added(event, _("%(name)s added to the contacts and the list.", name=name))
    return added(event, _("%(name)s was already a contact and is now on the list.", name=name))


@bp.post("/<int:event_id>/people")
@login_required
@require("event.edit")
def quick_add(event_id: int):
    """Add a person to the list and to the contacts, in one transaction."""
    event = get_or_404(events(), event_id)
    form = QuickAddForm()
    form.organisation_id.prepare(current_user)
    if form.organisation_id.searching:
        return render_detail(event, form)
    if not form.validate_on_submit():
        return render_detail(event, form, 400)
    try:
        contact, created = attendance.quick_add(current_user, event, form.person())
    except UserError as exc:
        if exc.context.get("reason") == "already_attending":
            return refused(event, exc.message + " " + _("Nothing was changed."))
        form_error(form, exc)
        return render_detail(event, form, 400)
    except IntegrityError:
        return concurrent_duplicate(event)
    return quick_added(event, contact, created)


@bp.post("/<int:event_id>/attendees/<int:attendance_id>/remove")
@login_required
@require("event.edit")
def remove_attendee(event_id: int, attendance_id: int):
    """Take a person off the event's list (the contact stays)."""
    event = get_or_404(events(), event_id)
    contact = attendance.remove(event, attendance_id)
    if contact is None:
        flash(_("This person is not on the list."), "warning")
        return back_to(event)
    flash(_("%(name)s removed from the list.", name=contact.full_name), "success")
    return back_to(event)

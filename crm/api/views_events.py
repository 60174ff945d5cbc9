"""Writing events and their attendance, and reading their registrations, through the events' services."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm.api import paging, resources
from crm.api.blueprint import bp
from crm.api.paging import Sorting, page_schema
from crm.api.schemas import EventSchema
from crm.api.schemas_in import AttendanceIn, AttendanceSchema, EventCreate, EventIn, RegistrationSchema
from crm.errors import UserError, discard_work
from crm.events import attendance, services
from crm.events.services import EventValues
from crm.extensions import db
from crm.models import Attendance, Event, Registration
from crm.permissions import deny, require, visible_contacts
from crm.training.services import offered_modules


def events():
    """Select every event (events are not scoped: every reader sees them all, as on the pages)."""
    return select(Event)


def check_module(event: Event | None, values: dict[str, Any]) -> None:
    """Refuse a training module id that names no module offered (the event's own stays allowed)."""
    ident = values.get("training_module_id")
    if ident is None or ident in {m.id for m in offered_modules(event.training_module_id if event else None)}:
        return
    message = _("No training module with id %(id)s is offered: send the id of an active module.", id=ident)
    raise UserError(message, "training_module_id", problems={"training_module_id": message})


def event_values(event: Event | None, values: dict[str, Any]) -> EventValues:
    """Return the event's values as they are (none for a new one) with the sent ones over them."""
    check_module(event, values)
    current = {f.name: getattr(event, f.name) for f in fields(EventValues)} if event else {}
    return EventValues(**({"title": "", "type": "", "held_on": None} | current | values))


@bp.route("/events", methods=["POST"])
@require("event.edit")
@bp.arguments(EventCreate)
@bp.response(201, EventSchema, headers=resources.ETAG_HEADER)
def create_event(values: dict[str, Any]):
    """Create an event or training through the same service (and checks) as the form."""
    row = services.save_event(current_user, None, event_values(None, values))
    return row, 201, resources.etag(row.version_id)


@bp.route("/events/<int:event_id>", methods=["PATCH"])
@require("event.edit")
@bp.arguments(EventIn)
@bp.response(200, EventSchema, headers=resources.ETAG_HEADER)
@bp.doc(parameters=[resources.IF_MATCH])
def update_event(values: dict[str, Any], event_id: int):
    """Change some fields of an event (what is not sent keeps its value); If-Match is required."""
    row = resources.first(events(), event_id)
    with resources.if_match(row):
        services.save_event(current_user, row, event_values(row, values))
    return row, 200, resources.etag(row.version_id)


@bp.route("/events/<int:event_id>", methods=["DELETE"])
@require("event.edit")
@bp.response(204)
@bp.doc(parameters=[resources.IF_MATCH])
def delete_event(event_id: int):
    """Delete an event and its attendance list as its page does (the contacts stay); If-Match is required."""
    row = resources.first(events(), event_id)
    with resources.if_match(row):
        services.delete_event(row)
    return "", 204


def attendance_of(event_id: int, contact_id: int) -> Attendance | None:
    """Return the attendance of the contact at the event, if any."""
    query = select(Attendance).where(Attendance.event_id == event_id, Attendance.contact_id == contact_id)
    return db.session.scalars(query).first()


@bp.route("/events/<int:event_id>/attendance", methods=["POST"])
@require("event.edit")
@bp.arguments(AttendanceIn)
@bp.response(201, AttendanceSchema)
@bp.alt_response(200, schema=AttendanceSchema, description="the person was already on the list")
def add_attendance(values: dict[str, Any], event_id: int):
    """Put a contact on the event's list; one already there answers 200 with the existing row."""
    row = resources.first(events(), event_id)
    contact = resources.first(visible_contacts(current_user), values["contact_id"])
    existing = attendance_of(row.id, contact.id)
    if existing is not None:
        return existing, 200
    try:
        return attendance.attend(row, contact), 201
    except IntegrityError:  # someone put the same person on the list at the same moment
        discard_work()
        return attendance_of(event_id, values["contact_id"]), 200


@bp.route("/events/<int:event_id>/attendance/<int:contact_id>", methods=["DELETE"])
@require("event.edit")
@bp.response(204)
def remove_attendance(event_id: int, contact_id: int):
    """Take a contact off the event's list (the contact stays); 404 if they are not on it."""
    row = resources.first(events(), event_id)
    contact = resources.first(visible_contacts(current_user), contact_id)
    existing = attendance_of(row.id, contact.id)
    if existing is None or attendance.remove(row, existing.id) is None:
        deny()
    return "", 204


REGISTRATION_SORTING = Sorting(
    {"id": Registration.id, "updated_at": Registration.updated_at}, Registration.id
)


class RegistrationArgs(paging.ListArgs):
    """Sort of an event's registrations."""

    sort = paging.sort_field(list(REGISTRATION_SORTING.columns), "id")


@bp.route("/events/<int:event_id>/registrations")
@require("event.view")
@bp.arguments(RegistrationArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(RegistrationSchema, "RegistrationPage"))
def registrations(args: dict[str, Any], event_id: int):
    """List who registered for the event (as the event page shows them)."""
    row = resources.first(events(), event_id)
    query = select(Registration).where(Registration.event_id == row.id)
    return paging.page(query, REGISTRATION_SORTING, args, args["sort"], Registration.updated_at)

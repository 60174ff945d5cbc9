"""Interactions, follow-ups and events with their attendance."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from crm.api import paging, resources
from crm.api.blueprint import bp
from crm.api.paging import Id, Sorting, page_schema
from crm.api.schemas import EventSchema, FollowUpSchema, InteractionIn, InteractionSchema
from crm.extensions import db
from crm.interactions import services as interactions
from crm.interactions.follow_ups import visible_follow_ups
from crm.models import EVENT_TYPES, INTERACTION_KINDS, Attendance, Event, FollowUp, Interaction
from crm.permissions import require, visible_organisations

INTERACTION_SORTING = Sorting(
    {"id": Interaction.id, "occurred_on": Interaction.occurred_on, "updated_at": Interaction.updated_at},
    Interaction.id,
)


class InteractionArgs(paging.ListArgs):
    """Filters and sort of the interaction list."""

    organisation_id = Id()
    kind = ma.fields.String(validate=ma.validate.OneOf(INTERACTION_KINDS))
    staff_id = Id()
    sort = paging.sort_field(list(INTERACTION_SORTING.columns), "id")


@bp.route("/interactions")
@require("interaction.view")
@bp.arguments(InteractionArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(InteractionSchema, "InteractionPage"))
def interaction_list(args: dict[str, Any]):
    """List the interactions the token's user may see."""
    query = interactions.visible_interactions(current_user)
    for name in ("organisation_id", "kind", "staff_id"):
        if args.get(name):
            query = query.where(getattr(Interaction, name) == args[name])
    return paging.page(query, INTERACTION_SORTING, args, args["sort"], Interaction.updated_at)


@bp.route("/interactions/<int:interaction_id>")
@require("interaction.view")
@bp.response(200, InteractionSchema, headers=resources.ETAG_HEADER)
def interaction(interaction_id: int):
    """Show one interaction."""
    row = resources.first(interactions.visible_interactions(current_user), interaction_id)
    return row, 200, resources.etag(row.version_id)


@bp.route("/interactions", methods=["POST"])
@require("interaction.log")
@bp.arguments(InteractionIn)
@bp.response(201, InteractionSchema, headers=resources.ETAG_HEADER)
def log_interaction(values: dict[str, Any]):
    """Log an interaction through the same service (and rules) as the form."""
    org = resources.first(visible_organisations(current_user), values["organisation_id"])
    entered = interactions.InteractionValues(
        kind=values["kind"],
        occurred_on=values["occurred_on"],
        staff_id=values.get("staff_id") or current_user.id,
        summary=values["summary"],
        outcome=values.get("outcome"),
        next_step=values.get("next_step"),
        contact_ids=values["contact_ids"],
    )
    row = interactions.log_interaction(current_user, org.id, entered, interactions.FollowUpValues())
    return row, 201, resources.etag(row.version_id)


@bp.route("/interactions/<int:interaction_id>", methods=["DELETE"])
@require("interaction.log")
@bp.response(204)
@bp.doc(parameters=[resources.IF_MATCH])
def delete_interaction(interaction_id: int):
    """Delete an interaction its author (or a manager) may change; its follow-ups stay (If-Match)."""
    row = resources.first(interactions.editable_interactions(current_user), interaction_id)
    with resources.if_match(row):
        interactions.delete_interaction(row)
    return "", 204


FOLLOW_UP_SORTING = Sorting(
    {"id": FollowUp.id, "due_on": FollowUp.due_on, "updated_at": FollowUp.updated_at}, FollowUp.id
)


class FollowUpArgs(paging.ListArgs):
    """Filters and sort of the follow-up list."""

    organisation_id = Id()
    assignee_id = Id()
    open = ma.fields.Boolean(metadata={"description": "true: not done yet; false: done"})
    sort = paging.sort_field(list(FOLLOW_UP_SORTING.columns), "id")


@bp.route("/follow-ups")
@require("interaction.view")
@bp.arguments(FollowUpArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(FollowUpSchema, "FollowUpPage"))
def follow_ups(args: dict[str, Any]):
    """List the follow-ups the token's user may see."""
    query = visible_follow_ups(current_user)
    for name in ("organisation_id", "assignee_id"):
        if args.get(name):
            query = query.where(getattr(FollowUp, name) == args[name])
    if "open" in args:
        query = query.where(FollowUp.done_at.is_(None) if args["open"] else FollowUp.done_at.is_not(None))
    return paging.page(query, FOLLOW_UP_SORTING, args, args["sort"], FollowUp.updated_at)


EVENT_SORTING = Sorting({"id": Event.id, "held_on": Event.held_on, "updated_at": Event.updated_at}, Event.id)


class EventArgs(paging.ListArgs):
    """Filters and sort of the event list."""

    type = ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES))
    programme_id = Id()
    sort = paging.sort_field(list(EVENT_SORTING.columns), "id")


@bp.route("/events")
@require("event.view")
@bp.arguments(EventArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(EventSchema, "EventPage"))
def events(args: dict[str, Any]):
    """List the events."""
    query = select(Event)
    for name in ("type", "programme_id"):
        if args.get(name):
            query = query.where(getattr(Event, name) == args[name])
    return paging.page(query, EVENT_SORTING, args, args["sort"], Event.updated_at)


@bp.route("/events/<int:event_id>")
@require("event.view")
@bp.response(200, EventSchema, headers=resources.ETAG_HEADER)
def event(event_id: int):
    """Show one event with the ids of the contacts who attended."""
    row = resources.first(select(Event), event_id)
    query = select(Attendance.contact_id).where(Attendance.event_id == row.id).order_by(Attendance.id)
    row.attendee_contact_ids = list(db.session.scalars(query))
    return row, 200, resources.etag(row.version_id)

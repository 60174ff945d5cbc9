"""Engagements, their transitions, and moves through the pipeline service and its gates."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user

from crm import clock
from crm.api import paging, resources
from crm.api.blueprint import bp
from crm.api.paging import Id, Sorting, page_schema
from crm.api.schemas import EngagementSchema, MoveIn, TransitionSchema
from crm.errors import StaleEditError
from crm.models import ALL_STAGES, Engagement
from crm.permissions import require
from crm.pipeline import board, gates
from crm.pipeline.services import Move

ENGAGEMENT_SORTING = Sorting(
    {"id": Engagement.id, "stage_since": Engagement.stage_since, "updated_at": Engagement.updated_at},
    Engagement.id,
)


class EngagementArgs(paging.ListArgs):
    """Filters and sort of the engagement list."""

    organisation_id = Id()
    programme_id = Id()
    stage = ma.fields.String(validate=ma.validate.OneOf(ALL_STAGES))
    sort = paging.sort_field(list(ENGAGEMENT_SORTING.columns), "id")


class ListedEngagement(EngagementSchema):
    """An engagement in a list (without its transitions)."""

    class Meta:
        exclude = ("transitions",)


@bp.route("/engagements")
@require("pipeline.view")
@bp.arguments(EngagementArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(ListedEngagement, "EngagementPage"))
def engagements(args: dict[str, Any]):
    """List the engagements of the organisations the token's user may see."""
    query = board.visible_engagements(current_user)
    for name in ("organisation_id", "programme_id", "stage"):
        if args.get(name):
            query = query.where(getattr(Engagement, name) == args[name])
    return paging.page(query, ENGAGEMENT_SORTING, args, args["sort"], Engagement.updated_at)


@bp.route("/engagements/<int:engagement_id>")
@require("pipeline.view")
@bp.response(200, EngagementSchema, headers=resources.ETAG_HEADER)
def engagement(engagement_id: int):
    """Show an engagement with its transitions."""
    row = resources.first(board.visible_engagements(current_user), engagement_id)
    return row, 200, resources.etag(row.version_id)


@bp.route("/engagements/<int:engagement_id>/moves", methods=["POST"])
@require("pipeline.move")
@bp.arguments(MoveIn)
@bp.response(201, TransitionSchema, headers=resources.ETAG_HEADER)
@bp.doc(parameters=[resources.IF_MATCH])
def move(values: dict[str, Any], engagement_id: int):
    """Move an engagement to another stage: the board's rules and gates apply; If-Match is required."""
    row = resources.first(board.visible_engagements(current_user), engagement_id)
    version = resources.expected_version()
    try:
        transition = gates.move_with_evidence(
            row, Move(**values), None, current_user.id, clock.today(), version
        )
    except StaleEditError:
        resources.stale()
    return transition, 201, resources.etag(row.version_id)

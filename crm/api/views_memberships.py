"""Memberships: the team's writes and a liaison's review, through the services and scopes of their pages.

The team adds, changes and removes memberships as the organisation pages do (membership.edit). A liaison
reviews their associations' confirmed members as the portal does (membership.review): a status and a
note for the history, which also marks the member reviewed. Every change names the version it is based on
(a membership's last save: see resources.version_of); the row is locked from that check to the commit.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from crm import clock
from crm.api import resources
from crm.api.blueprint import bp
from crm.api.schemas import MembershipSchema
from crm.api.schemas_in import MembershipCreate, MembershipIn, MembershipReviewIn
from crm.liaison import services as liaison
from crm.models import Membership, User, utcnow
from crm.organisations import memberships
from crm.permissions import editable_memberships, require, visible_memberships, visible_organisations


def locked(user: User, membership_id: int) -> Membership:
    """Return a membership the user may change, locked until the commit (PostgreSQL), or answer 404."""
    return resources.first(editable_memberships(user).with_for_update(of=Membership), membership_id)


@bp.route("/memberships/<int:membership_id>")
@require("membership.view")
@bp.response(200, MembershipSchema, headers=resources.ETAG_HEADER)
def membership(membership_id: int):
    """Show one membership the token's user may see (a liaison: their associations')."""
    row = resources.first(visible_memberships(current_user), membership_id)
    return row, 200, resources.etag(resources.version_of(row))


@bp.route("/memberships", methods=["POST"])
@require("membership.edit")
@bp.arguments(MembershipCreate)
@bp.response(201, MembershipSchema, headers=resources.ETAG_HEADER)
def add_membership(values: dict[str, Any]):
    """Record that a company belongs to a business association (both within the user's scope)."""
    company = resources.first(visible_organisations(current_user), values["company_id"])
    row = memberships.add_membership(
        current_user, company, values["association_id"], values["status"], values.get("since"), clock.today()
    )
    return row, 201, resources.etag(resources.version_of(row))


@bp.route("/memberships/<int:membership_id>", methods=["PATCH"])
@require("membership.edit")
@bp.arguments(MembershipIn)
@bp.response(200, MembershipSchema, headers=resources.ETAG_HEADER)
@bp.doc(parameters=[resources.IF_MATCH])
def update_membership(values: dict[str, Any], membership_id: int):
    """Change a membership's status or start date (what is not sent keeps its value; If-Match)."""
    row = locked(current_user, membership_id)
    status, since = values.get("status", row.status), values.get("since", row.since)
    with resources.if_match(row):
        memberships.update_membership(row, status, since, clock.today())
    return row, 200, resources.etag(resources.version_of(row))


@bp.route("/memberships/<int:membership_id>", methods=["DELETE"])
@require("membership.edit")
@bp.response(204)
@bp.doc(parameters=[resources.IF_MATCH])
def delete_membership(membership_id: int):
    """Remove a membership as the organisation page does (its history stays); If-Match is required."""
    row = locked(current_user, membership_id)
    with resources.if_match(row):
        memberships.remove_membership(row)
    return "", 204


@bp.route("/memberships/<int:membership_id>/review", methods=["POST"])
@require("membership.review")
@bp.arguments(MembershipReviewIn)
@bp.response(200, MembershipSchema, headers=resources.ETAG_HEADER)
@bp.doc(parameters=[resources.IF_MATCH])
def review_membership(values: dict[str, Any], membership_id: int):
    """A liaison sets a confirmed member's status (with a note) and marks it reviewed, as the portal does."""
    row = locked(current_user, membership_id)
    with resources.if_match(row):
        liaison.review_member(row, current_user, values["status"], values.get("note"), utcnow())
    return row, 200, resources.etag(resources.version_of(row))

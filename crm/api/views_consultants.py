"""The registry of qualified consultants, read-only, seen exactly as on its page.

The technical team reads every entry; liaisons and viewers read the published qualified ones' public part
(name, specialisms, region), and nothing at all (404) while no entry is published.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_login import current_user
from sqlalchemy.orm import selectinload

from crm.api import paging
from crm.api.blueprint import bp
from crm.api.paging import Sorting, Text, UtcDateTime, page_schema
from crm.consultants import services
from crm.consultants.services import Filters
from crm.models import CONSULTANT_STATUSES, SPECIALISMS, Consultant
from crm.permissions import deny, require

F = ma.fields
TEAM_ONLY = {"description": "technical team only"}
CONSULTANT_SORTING = Sorting({"id": Consultant.id, "updated_at": Consultant.updated_at}, Consultant.id)
PUBLIC_FIELDS = ("id", "first_name", "last_name", "specialisms", "region")


class ConsultantArgs(paging.ListArgs):
    """Filters and sort of the registry list (the status filter counts for the technical team only)."""

    specialism = F.String(validate=ma.validate.OneOf(SPECIALISMS))
    region = Text(validate=ma.validate.Length(max=80))
    status = F.String(validate=ma.validate.OneOf(CONSULTANT_STATUSES), metadata=TEAM_ONLY)
    sort = paging.sort_field(list(CONSULTANT_SORTING.columns), "id")


class ConsultantSchema(ma.Schema):
    """A registry entry: its public part, and for the technical team the rest."""

    id = F.Integer(required=True)
    first_name = F.String()
    last_name = F.String()
    specialisms = F.List(F.String(), metadata={"description": f"codes among {', '.join(SPECIALISMS)}"})
    region = F.String(allow_none=True)
    contact_id = F.Integer(metadata=TEAM_ONLY)
    organisation_id = F.Integer(allow_none=True, metadata=TEAM_ONLY)
    status = F.String(metadata={"description": f"{', '.join(CONSULTANT_STATUSES)}; technical team only"})
    candidate_on = F.Date(allow_none=True, metadata=TEAM_ONLY)
    qualified_on = F.Date(allow_none=True, metadata=TEAM_ONLY)
    suspended_on = F.Date(allow_none=True, metadata=TEAM_ONLY)
    withdrawn_on = F.Date(allow_none=True, metadata=TEAM_ONLY)
    published = F.Boolean(metadata=TEAM_ONLY)
    has_evidence = F.Boolean(metadata=TEAM_ONLY)
    engagement_ids = F.List(F.Integer(), metadata={"description": "engagements advised; technical team only"})
    created_at = UtcDateTime(allow_none=True, metadata=TEAM_ONLY)
    updated_at = UtcDateTime(allow_none=True, metadata=TEAM_ONLY)


def item(consultant: Consultant, full: bool) -> dict[str, Any]:
    """Return an entry as the user may read it."""
    person = consultant.contact
    data = {"id": consultant.id, "first_name": person.first_name, "last_name": person.last_name,
            "specialisms": consultant.specialism_list, "region": consultant.region}  # fmt: skip
    return data | team_part(consultant) if full else data


def team_part(consultant: Consultant) -> dict[str, Any]:
    """Return what only the technical team reads of an entry."""
    names = ("candidate_on", "qualified_on", "suspended_on", "withdrawn_on", "created_at", "updated_at")
    data = {name: getattr(consultant, name) for name in names}
    data["contact_id"], data["organisation_id"] = consultant.contact_id, consultant.contact.organisation_id
    data["status"], data["published"] = consultant.status, consultant.published
    data["has_evidence"] = consultant.evidence_id is not None
    data["engagement_ids"] = [assignment.engagement_id for assignment in consultant.assignments]
    return data


@bp.route("/consultants")
@require("consultant.public")
@bp.arguments(ConsultantArgs, location="query", as_kwargs=False)
@bp.response(200, page_schema(ConsultantSchema, "ConsultantPage"))
def consultants(args: dict[str, Any]):
    """List the registry entries the token's user may see (404 for readers while nothing is published)."""
    full = services.sees_everything(current_user)
    if not full and not services.anything_published():
        deny()
    filters = Filters(args.get("specialism", ""), args.get("region", ""), args.get("status", ""))
    query = services.registry_query(current_user, filters).options(selectinload(Consultant.assignments))
    result = paging.page(query, CONSULTANT_SORTING, args, args["sort"], Consultant.updated_at)
    return result | {"items": [item(row, full) for row in result["items"]]}

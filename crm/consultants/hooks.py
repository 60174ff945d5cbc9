"""What the consultants registry adds to other features (see crm/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from crm.consultants import services
from crm.consultants.forms import AssignmentForm
from crm.extensions import db
from crm.labels import options
from crm.models import Consultant
from crm.models.organisation import OrgKind
from crm.permissions import can
from crm.registry import on_erase, org_section

if TYPE_CHECKING:
    from crm.privacy.erasure import Traces


@org_section("consultants/_org_consultants.html", 37)
def org_panel(user: Any, org: Any) -> dict[str, Any] | None:
    """Return the consultants who advised a company, and what the assignment form offers."""
    if org.kind != OrgKind.COMPANY or not can(user, "consultant.view"):
        return None
    engagements = services.org_engagements(org.id)
    data: dict[str, Any] = {"assignments": services.org_assignments(org.id), "engagements": engagements}
    if can(user, "consultant.edit") and engagements:
        form = AssignmentForm()
        consultants = services.assignable_consultants()
        form.consultant_id.choices = options([("", "—")] + [(c.id, c.contact.full_name) for c in consultants])
        form.engagement_id.choices = options([(e.id, e.programme.name_es) for e in engagements])
        data["form"] = form
    return data


@on_erase(35)
def erase_registry_entry(traces: Traces) -> dict[str, int]:
    """Remove an erased person's registry entry and assignments (the indicator loses them too)."""
    entries = db.session.scalars(select(Consultant).where(Consultant.contact_id == traces.contact_id)).all()
    for consultant in entries:
        db.session.delete(consultant)  # with its assignments
    db.session.flush()
    return {"consultants": len(entries)}

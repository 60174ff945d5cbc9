"""What the consultants registry adds to other features (see crm/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from crm.consultants import merging, services
from crm.consultants.forms import AssignmentForm
from crm.extensions import db
from crm.labels import options
from crm.models import Consultant, Contact
from crm.models.organisation import OrgKind
from crm.permissions import can
from crm.registry import on_contact_merge, on_erase, org_section

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
    if entries:  # the mirror follows the registry: no entry, not qualified
        cleared = update(Contact).where(Contact.id == traces.contact_id).values(qualified_consultant=False)
        db.session.execute(cleared.execution_options(synchronize_session=False))
    db.session.flush()
    return {"consultants": len(entries)}


@on_contact_merge(30)
def merge_registry_entries(keep_id: int, drop_id: int, user_id: int | None) -> None:
    """Move (or fold) the merged-away contact's registry entry onto the survivor."""
    merging.merge_entries(keep_id, drop_id, user_id)

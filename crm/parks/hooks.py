"""What the parks feature adds to other features (see crm/registry.py)."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import delete, or_, select

from crm.extensions import db
from crm.labels import options
from crm.models import Organisation, ParkTenant
from crm.models.organisation import OrgKind
from crm.organisations import picker
from crm.parks import services
from crm.parks.forms import AddTenantForm, JoinParkForm, TenantForm
from crm.permissions import can
from crm.registry import on_delete, on_merge, org_section


@org_section("parks/_org_park.html", 33)
def org_panel(user: Any, org: Organisation) -> dict[str, Any] | None:
    """Return a park's tenants and stages, or the park a company is in (not for liaisons)."""
    if not can(user, "park.view") or org.kind not in (OrgKind.PARK, OrgKind.COMPANY):
        return None
    editable = can(user, "park.edit")
    if org.kind == OrgKind.PARK:
        stages = services.stage_counts(org.id) if can(user, "pipeline.view") else None
        found = picker.matches(user, request.args.get("tenant_q"), (OrgKind.COMPANY,)) if editable else None
        form = AddTenantForm(formdata=None, tenant_q=found.term) if found else None
        return {"park": True, "tenants": services.tenants(org.id), "stages": stages, "form": form,
                "matches": found, "dates_form": TenantForm()}  # fmt: skip
    return {"park": False, "tenants": services.parks_of(org.id), "form": join_form() if editable else None}


def join_form() -> JoinParkForm | None:
    """Return the form placing a company in a park, offering every park (None when there is none)."""
    parks = services.parks()
    if not parks:
        return None
    form = JoinParkForm()
    form.park_id.choices = options([(p.id, p.legal_name) for p in parks])
    return form


@on_merge(65)
def move_tenancies(keep_id: int, drop_id: int) -> None:
    """Move the merged-away organisation's tenancies (as park or company) unless the survivor has them."""
    for column, other in (
        (ParkTenant.park_id, ParkTenant.company_id),
        (ParkTenant.company_id, ParkTenant.park_id),
    ):
        kept = select(other).where(column == keep_id)
        db.session.execute(delete(ParkTenant).where(column == drop_id, other.in_(kept)))
        for tenant in db.session.scalars(select(ParkTenant).where(column == drop_id)):
            setattr(tenant, column.key, keep_id)
    db.session.flush()


@on_delete(45)
def delete_tenancies(org_id: int) -> None:
    """Remove the tenancies of a deleted park or company."""
    condition = or_(ParkTenant.park_id == org_id, ParkTenant.company_id == org_id)
    db.session.execute(delete(ParkTenant).where(condition))

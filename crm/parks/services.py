"""Parks' tenants: who is where, adding and ending a tenancy, and the tenants' pipeline stages."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from crm.clock import today
from crm.errors import UserError
from crm.extensions import db
from crm.models import ALL_STAGES, Engagement, Organisation, ParkTenant
from crm.models.organisation import OrgKind


def current() -> object:
    """Return the condition of a tenancy that has not ended."""
    return or_(ParkTenant.until.is_(None), ParkTenant.until >= today())


def tenants(park_id: int) -> list[ParkTenant]:
    """Return a park's tenancies, current ones first, by company name."""
    query = (
        select(ParkTenant)
        .join(Organisation, Organisation.id == ParkTenant.company_id)
        .where(ParkTenant.park_id == park_id)
        .order_by(ParkTenant.until.is_not(None), func.lower(Organisation.legal_name), ParkTenant.id)
    )
    return list(db.session.scalars(query))


def parks_of(company_id: int) -> list[ParkTenant]:
    """Return the parks a company is (or was) a tenant of."""
    query = select(ParkTenant).where(ParkTenant.company_id == company_id).order_by(ParkTenant.id)
    return list(db.session.scalars(query))


def parks() -> list[Organisation]:
    """Return every industrial park, by name (a handful)."""
    query = select(Organisation).where(Organisation.kind == OrgKind.PARK).order_by(Organisation.legal_name)
    return list(db.session.scalars(query))


def stage_counts(park_id: int) -> list[tuple[str, int]]:
    """Count the current tenants in each pipeline stage (a company in two programmes counts in each)."""
    query = (
        select(Engagement.stage, func.count(func.distinct(Engagement.organisation_id)))
        .join(ParkTenant, ParkTenant.company_id == Engagement.organisation_id)
        .where(ParkTenant.park_id == park_id, current())
        .group_by(Engagement.stage)
    )
    counts = dict(db.session.execute(query).all())
    return [(stage, int(counts[stage])) for stage in ALL_STAGES if stage in counts]


def check_dates(since: date | None, until: date | None) -> None:
    """Refuse a tenancy that ends before it starts."""
    if since and until and until < since:
        raise UserError(_("The end cannot be before the start."), "until")


def add_tenant(
    park: Organisation, company: Organisation, since: date | None, until: date | None
) -> ParkTenant:
    """Record a company as a tenant of a park, or refuse."""
    if park.kind != OrgKind.PARK or company.kind != OrgKind.COMPANY:
        raise UserError(_("Only a company can be a tenant of an industrial park."), "company")
    check_dates(since, until)
    exists = select(ParkTenant.id).where(ParkTenant.park_id == park.id, ParkTenant.company_id == company.id)
    if db.session.scalar(exists) is not None:
        raise UserError(_("This company is already listed in this park."), "company")
    tenant = ParkTenant(park_id=park.id, company_id=company.id, since=since, until=until)
    db.session.add(tenant)
    db.session.flush()
    return tenant


def remove_tenant(tenant: ParkTenant) -> None:
    """Remove a tenancy entered by mistake (a company that left gets an end date instead)."""
    db.session.delete(tenant)
    db.session.flush()


def set_dates(tenant: ParkTenant, since: date | None, until: date | None) -> None:
    """Change a tenancy's start and end."""
    check_dates(since, until)
    tenant.since, tenant.until = since, until
    db.session.flush()

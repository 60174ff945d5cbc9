"""What the privacy feature adds to other features: the read-trail section of a company's page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AccessLog, Organisation, User
from crm.privacy.trail_queries import may_read_company_trail
from crm.registry import org_section


@org_section("privacy/_org_trail.html", 95)
def org_trail(user: User, org: Organisation) -> dict[str, Any] | None:
    """Return how often the company's confidential data was read, for its owner and administrators."""
    if not may_read_company_trail(user, org):
        return None
    query = select(func.count(AccessLog.id), func.max(AccessLog.at))
    query = query.where(AccessLog.organisation_id == org.id)
    reads, last = db.session.execute(query).one()
    return {"reads": reads, "last": last}

"""What the privacy feature adds to other features: the read-trail section, and erasing core traces."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from crm.extensions import db
from crm.models import AccessLog, ChangeLog, Organisation, OutboxMessage, User
from crm.privacy.erasure import Traces, scrub_rows
from crm.privacy.trail_queries import may_read_company_trail
from crm.registry import on_erase, org_section


@org_section("privacy/_org_trail.html", 95)
def org_trail(user: User, org: Organisation) -> dict[str, Any] | None:
    """Return how often the company's confidential data was read, for its owner and administrators."""
    if not may_read_company_trail(user, org):
        return None
    query = select(func.count(AccessLog.id), func.max(AccessLog.at))
    query = query.where(AccessLog.organisation_id == org.id)
    reads, last = db.session.execute(query).one()
    return {"reads": reads, "last": last}


@on_erase(90)
def erase_from_history(traces: Traces) -> dict[str, int]:
    """Drop the erased person's values from the change history, the read trail and the outbox."""
    own = (ChangeLog.entity_type == "contact") & (ChangeLog.entity_id == traces.contact_id)
    emptied = db.session.execute(
        update(ChangeLog).where(own).values(changes={}).execution_options(synchronize_session=False)
    ).rowcount
    outbox = ["subject", "body_text", "body_html", "payload"]
    return {
        "change_log": emptied + scrub_rows(ChangeLog, ["changes"], traces),
        "access_logs": scrub_rows(AccessLog, ["path", "fields"], traces),
        "outbox_messages": scrub_rows(OutboxMessage, outbox, traces),
    }

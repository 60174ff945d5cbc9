"""The e-mail section of the organisation page: captured and sent e-mails, newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm.extensions import db
from crm.models import EmailMessage, Organisation, User
from crm.models.mailcapture import EmailStatus
from crm.permissions import can
from crm.privacy.trail import record_read

PANEL_LIMIT = 20


def org_panel(user: User, org: Organisation) -> dict[str, Any] | None:
    """Return the organisation's latest e-mails (date and subject; excerpts for the technical team)."""
    if not can(user, "email.view"):
        return None
    query = (
        select(EmailMessage)
        .where(EmailMessage.organisation_id == org.id, EmailMessage.status == EmailStatus.LOGGED)
        .order_by(EmailMessage.sent_at.desc(), EmailMessage.id.desc())
        .limit(PANEL_LIMIT + 1)
    )
    emails = db.session.scalars(query).all()
    bodies = can(user, "email.body")
    if bodies and emails:  # excerpts of the company's e-mails are shown: a traced read
        record_read(org.id, "email", ("excerpt",))
    return {
        "emails": emails[:PANEL_LIMIT],
        "more": len(emails) > PANEL_LIMIT,
        "bodies": bodies,
        "compose": can(user, "email.compose"),
    }

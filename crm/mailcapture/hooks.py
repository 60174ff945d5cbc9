"""What mail capture adds to other features (see crm/registry.py)."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.mailcapture import panels
from crm.models import EmailMessage
from crm.privacy.erasure import Traces, scrub_rows
from crm.registry import move_rows, on_delete, on_erase, on_merge, org_section

org_section("mailcapture/_org_emails.html", 15)(panels.org_panel)


@on_merge(25)
def move_emails(keep_id: int, drop_id: int) -> None:
    """The merged-away organisation's e-mails belong to the survivor."""
    move_rows(EmailMessage, "organisation_id", keep_id, drop_id)


@on_delete(15)
def delete_emails(org_id: int) -> None:
    """Delete the organisation's captured e-mails (before its interactions)."""
    for email in db.session.scalars(select(EmailMessage).where(EmailMessage.organisation_id == org_id)):
        db.session.delete(email)


@on_erase(25)
def erase_from_emails(traces: Traces) -> dict[str, int]:
    """Replace the erased person's traces in captured e-mails: sender, participants, subject, texts."""
    columns = ["subject", "from_address", "from_name", "participants", "excerpt", "body_text", "attachments"]
    return {"email_messages": scrub_rows(EmailMessage, columns, traces)}

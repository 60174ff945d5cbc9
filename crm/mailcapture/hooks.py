"""What mail capture adds to other features (see crm/registry.py)."""

from __future__ import annotations

from sqlalchemy import or_, select, update

from crm.documents import remove_documents
from crm.extensions import db
from crm.mailcapture import panels
from crm.models import EmailMessage
from crm.privacy.erasure import Traces, like, scrub_rows
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


COLUMNS = ["subject", "from_address", "from_name", "participants", "excerpt", "body_text", "attachments"]


@on_erase(24)
def erase_attachments(traces: Traces) -> dict[str, int]:
    """Delete the stored attachments of the e-mails naming the erased person; files go once committed."""
    named = or_(*[like(getattr(EmailMessage, c), form) for c in COLUMNS for form in traces.like_forms()])
    query = select(EmailMessage.id, EmailMessage.attachments).where(named)
    removed = 0
    for email_id, attachments in db.session.execute(query).all():
        ids = [a["document_id"] for a in attachments or [] if a.get("document_id")]
        if ids:
            removed += remove_documents(ids)
            kept = [
                {**a, "document_id": None, "note": "erased"} if a.get("document_id") else a
                for a in attachments
            ]
            statement = update(EmailMessage).where(EmailMessage.id == email_id).values(attachments=kept)
            db.session.execute(statement.execution_options(synchronize_session=False))
    return {"documents": removed}


@on_erase(25)
def erase_from_emails(traces: Traces) -> dict[str, int]:
    """Replace the erased person's traces in captured e-mails: sender, participants, subject, texts."""
    return {"email_messages": scrub_rows(EmailMessage, COLUMNS, traces)}

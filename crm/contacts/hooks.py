"""What the contacts feature does when an organisation is merged or deleted."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.models import Contact
from crm.registry import move_rows, on_delete, on_merge


@on_merge(10)
def move_contacts(keep_id: int, drop_id: int) -> None:
    """The merged-away organisation's people now work at the survivor."""
    move_rows(Contact, "organisation_id", keep_id, drop_id)


@on_delete(40)
def detach_contacts(org_id: int) -> None:
    """People stay in the address book when their organisation is deleted."""
    for contact in db.session.scalars(select(Contact).where(Contact.organisation_id == org_id)):
        contact.organisation_id = None

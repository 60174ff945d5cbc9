"""The scans of the letters a person signed, which erasing that person may keep or delete.

A signed letter is the company's commitment and the project's evidence for the donor, so an erasure keeps
its scan unless the administrator asks otherwise; the letter itself stays signed (its signatory reads
"Persona eliminada"), and without its scan it counts as evidence pending until a new one is uploaded.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from crm.documents import remove_documents
from crm.extensions import db
from crm.models import Letter, Organisation


def signed_scans(contact_id: int) -> list[tuple[int, str, str, object]]:
    """Return (letter id, kind, company, signed on) of each scanned letter the contact signed."""
    query = (
        select(Letter.id, Letter.kind, Organisation.legal_name, Letter.signed_on)
        .join(Organisation, Organisation.id == Letter.organisation_id)
        .where(Letter.signatory_id == contact_id, Letter.document_id.is_not(None))
        .order_by(Letter.signed_on, Letter.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def count_signed_scans(contact_id: int) -> int:
    """Return how many letters the contact signed have a scan."""
    where = (Letter.signatory_id == contact_id, Letter.document_id.is_not(None))
    return db.session.scalar(select(func.count()).select_from(Letter).where(*where)) or 0


def drop_signed_scans(contact_id: int) -> int:
    """Detach and delete the scans of the letters the contact signed (files go at commit); return how many."""
    where = (Letter.signatory_id == contact_id, Letter.document_id.is_not(None))
    ids = list(db.session.scalars(select(Letter.document_id).where(*where)))
    if not ids:
        return 0
    statement = update(Letter).where(*where).values(document_id=None)
    db.session.execute(statement.execution_options(synchronize_session=False))
    return remove_documents(ids)

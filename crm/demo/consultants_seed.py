"""Demo registry of consultants: every contact flagged as a qualified consultant gets a registry entry.

Specialisms, region, qualification date (a few unknown, as after the migration of the old flag) and
publication follow the person's place in the list, so the figures are the same on every run. The first
consultant advises the first company in technical assistance. Contacts already registered are left
alone, so a second run adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from crm.extensions import db
from crm.models import SPECIALISMS, Consultant, ConsultantAssignment, Contact, Engagement
from crm.models.consultant import ConsultantStatus
from crm.models.pipeline import Stage

REGIONS = ("Lima", "Callao", "Lima")


def unregistered() -> list[Contact]:
    """Return the flagged contacts without a registry entry, oldest first."""
    query = (
        select(Contact)
        .where(Contact.qualified_consultant.is_(True), ~exists().where(Consultant.contact_id == Contact.id))
        .order_by(Contact.id)
    )
    return list(db.session.scalars(query).unique())


def entry(contact: Contact, index: int, today: date) -> Consultant:
    """Return a qualified entry for the contact, varied by its place in the list."""
    specialisms = [SPECIALISMS[index % 4]] + ([SPECIALISMS[(index + 1) % 4]] if index % 3 == 0 else [])
    qualified_on = None if index % 7 == 6 else today - timedelta(days=45 * (index % 16) + 20)
    return Consultant(
        contact_id=contact.id,
        specialisms=" ".join(code for code in SPECIALISMS if code in specialisms),
        region=REGIONS[index % 3],
        status=ConsultantStatus.QUALIFIED,
        qualified_on=qualified_on,
        published=index % 2 == 0,
    )


def first_assignment(consultant: Consultant, today: date) -> None:
    """Assign the consultant to the first company in technical assistance."""
    query = select(Engagement).where(Engagement.stage == Stage.TECHNICAL_ASSISTANCE).order_by(Engagement.id)
    engagement = db.session.scalars(query).first()
    if engagement is not None:
        db.session.add(
            ConsultantAssignment(
                consultant_id=consultant.id,
                engagement_id=engagement.id,
                role="Diagnóstico energético y plan de medidas",
                started_on=max(engagement.stage_since, today - timedelta(days=60)),
            )
        )


def seed_consultants(today: date) -> int:
    """Register the flagged contacts and one assignment; return how many entries were added."""
    entries = [entry(contact, index, today) for index, contact in enumerate(unregistered())]
    db.session.add_all(entries)
    db.session.flush()
    if entries and not db.session.scalar(select(exists().where(ConsultantAssignment.id.is_not(None)))):
        first_assignment(entries[0], today)
    db.session.flush()
    return len(entries)

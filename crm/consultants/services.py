"""The registry of qualified consultants: entries, their status dates, publication and assignments.

The registry is the record of who is qualified; `Contact.qualified_consultant` is kept as its mirror
("has a qualified registry entry") for the contact pages, imports and the API that still read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, literal, select
from werkzeug.datastructures import FileStorage

from crm import clock, documents
from crm.errors import UserError
from crm.extensions import db
from crm.history import Entries, present
from crm.models import (
    SPECIALISMS,
    ChangeLog,
    Consultant,
    ConsultantAssignment,
    Contact,
    District,
    Engagement,
    Organisation,
)
from crm.models.consultant import ConsultantStatus
from crm.permissions import can

# Where each status may lead (a withdrawn consultant may apply again as a candidate).
NEXT_STATUSES = {
    ConsultantStatus.CANDIDATE: (ConsultantStatus.QUALIFIED, ConsultantStatus.WITHDRAWN),
    ConsultantStatus.QUALIFIED: (ConsultantStatus.SUSPENDED, ConsultantStatus.WITHDRAWN),
    ConsultantStatus.SUSPENDED: (ConsultantStatus.QUALIFIED, ConsultantStatus.WITHDRAWN),
    ConsultantStatus.WITHDRAWN: (ConsultantStatus.CANDIDATE,),
}


@dataclass
class ConsultantValues:
    """What the consultant form submits."""

    specialisms: list[str] = field(default_factory=list)
    region: str | None = None
    qualified_on: date | None = None
    notes: str | None = None
    evidence: FileStorage | None = None


@dataclass
class Filters:
    """The registry list's filters and order."""

    specialism: str = ""
    region: str = ""
    status: str = ""
    sort: str = "name"


def regions() -> list[str]:
    """Return Peru's regions, from the districts reference table."""
    query = select(District.region).distinct().order_by(District.region)
    return [name for name in db.session.scalars(query) if name]


def status_date_column(status: str) -> str:
    """Return the attribute holding the day a status was reached."""
    return f"{status}_on"


def sees_everything(user: Any) -> bool:
    """Return whether the user sees the whole registry (else: the published public part)."""
    return can(user, "consultant.view")


def visible_consultants(user: Any) -> Select:
    """Select the entries the user may see: all of them, or the published qualified ones."""
    query = select(Consultant).join(Contact, Consultant.contact_id == Contact.id)
    if sees_everything(user):
        return query
    if not can(user, "consultant.public"):
        return query.where(literal(False))
    return query.where(Consultant.published.is_(True), Consultant.status == ConsultantStatus.QUALIFIED)


def anything_published() -> bool:
    """Return whether the registry has a published part to show."""
    published = (Consultant.published.is_(True)) & (Consultant.status == ConsultantStatus.QUALIFIED)
    return bool(db.session.scalar(select(exists().where(published))))


def registry_query(user: Any, filters: Filters) -> Select:
    """Select the visible entries matching the filters, in the order asked for."""
    query = visible_consultants(user)
    if filters.specialism in SPECIALISMS:
        padded = literal(" ") + Consultant.specialisms + literal(" ")
        query = query.where(padded.like(f"% {filters.specialism} %"))
    if filters.region:
        query = query.where(Consultant.region == filters.region)
    if filters.status in tuple(ConsultantStatus) and sees_everything(user):
        query = query.where(Consultant.status == filters.status)
    names = (func.lower(Contact.last_name), func.lower(Contact.first_name))
    order = [name.desc() for name in names] if filters.sort == "-name" else list(names)
    return query.order_by(*order, Consultant.id)


def check_values(values: ConsultantValues) -> None:
    """Refuse specialisms outside the list, an unknown region or a qualification date in the future."""
    if not values.specialisms:
        raise UserError(_("Choose at least one specialism."), field="specialisms")
    if any(code not in SPECIALISMS for code in values.specialisms):
        raise UserError(_("Choose specialisms from the list."), field="specialisms")
    if values.region and values.region not in regions():
        raise UserError(_("Choose a region from the list."), field="region")
    if values.qualified_on and values.qualified_on > clock.today():
        raise UserError(_("The qualification date cannot be in the future."), field="qualified_on")


def apply_values(user: Any, consultant: Consultant, values: ConsultantValues) -> None:
    """Copy the form's values onto the entry, storing a new evidence document if one was sent."""
    consultant.specialisms = " ".join(code for code in SPECIALISMS if code in values.specialisms)
    consultant.region = values.region or None
    consultant.qualified_on = values.qualified_on
    consultant.notes = values.notes or None
    if documents.has_file(values.evidence):
        consultant.evidence_id = documents.store_upload(values.evidence, user.id).id


def create(user: Any, contact_id: int | None, values: ConsultantValues) -> Consultant:
    """Register a contact as a candidate consultant (or qualified, when a qualification date is given)."""
    contact = db.session.get(Contact, contact_id) if contact_id else None
    if contact is None or contact.erased_at is not None:
        raise UserError(_("Choose a contact."), field="contact_id")
    if db.session.scalar(select(Consultant.id).where(Consultant.contact_id == contact.id)):
        raise UserError(_("This contact is already in the registry."), field="contact_id")
    check_values(values)
    consultant = Consultant(contact=contact, status=ConsultantStatus.CANDIDATE, candidate_on=clock.today())
    db.session.add(consultant)
    apply_values(user, consultant, values)
    if values.qualified_on:
        consultant.status = ConsultantStatus.QUALIFIED
    sync_flag(consultant)
    db.session.flush()
    return consultant


def update(user: Any, consultant: Consultant, values: ConsultantValues) -> Consultant:
    """Change an entry's specialisms, region, qualification date, evidence and notes."""
    check_values(values)
    apply_values(user, consultant, values)
    db.session.flush()
    return consultant


def change_status(consultant: Consultant, status: str, on: date | None) -> Consultant:
    """Move an entry to a new status reached on a day (today when not given); keep the contact's flag."""
    current = ConsultantStatus(consultant.status)
    if status not in NEXT_STATUSES[current]:
        raise UserError(_("This status cannot follow the current one."), field="status")
    on = on or clock.today()
    if on > clock.today():
        raise UserError(_("The date cannot be in the future."), field="on")
    # A candidate's date is the day of registering, which a qualification obtained earlier may precede.
    reached = getattr(consultant, status_date_column(current))
    if current != ConsultantStatus.CANDIDATE and reached and on < reached:
        raise UserError(_("The date cannot be before the current status was reached."), field="on")
    consultant.status = status
    setattr(consultant, status_date_column(status), on)
    sync_flag(consultant)
    db.session.flush()
    return consultant


def sync_flag(consultant: Consultant) -> None:
    """Keep the contact's flag equal to "has a qualified registry entry"."""
    qualified = consultant.status == ConsultantStatus.QUALIFIED
    if consultant.contact.qualified_consultant != qualified:
        consultant.contact.qualified_consultant = qualified


def set_published(consultant: Consultant, published: bool) -> None:
    """Show or hide the entry's public part to liaisons and viewers."""
    consultant.published = published
    db.session.flush()


def history(consultant_id: int, limit: int = 100) -> Entries:
    """Return the entry's change history, newest first."""
    query = (
        select(ChangeLog)
        .where(ChangeLog.entity_type == "consultant", ChangeLog.entity_id == consultant_id)
        .order_by(ChangeLog.at.desc(), ChangeLog.id.desc())
        .limit(limit)
    )
    return present(list(db.session.scalars(query)))


def unregistered_contacts() -> list[Contact]:
    """Return the contacts not yet in the registry (never erased ones), by name."""
    query = (
        select(Contact)
        .where(Contact.erased_at.is_(None), ~exists().where(Consultant.contact_id == Contact.id))
        .order_by(func.lower(Contact.last_name), func.lower(Contact.first_name), Contact.id)
        .limit(2000)
    )
    return list(db.session.scalars(query).unique())


# --- assignments --------------------------------------------------------------------------------------------


def assign(
    consultant: Consultant, engagement: Engagement | None, role: str, started_on: date, ended_on: date | None
) -> ConsultantAssignment:
    """Record that a consultant advises a company in one of its programmes."""
    if engagement is None:
        raise UserError(_("Choose the company's programme."), field="engagement_id")
    if consultant.status == ConsultantStatus.WITHDRAWN:
        raise UserError(_("A withdrawn consultant cannot be assigned."), field="consultant_id")
    if ended_on and ended_on < started_on:
        raise UserError(_("The end date cannot be before the start date."), field="ended_on")
    taken = select(ConsultantAssignment.id).where(
        ConsultantAssignment.consultant_id == consultant.id,
        ConsultantAssignment.engagement_id == engagement.id,
    )
    if db.session.scalar(taken):
        raise UserError(_("This consultant is already assigned to that programme of the company."))
    assignment = ConsultantAssignment(
        consultant_id=consultant.id, engagement=engagement, role=role.strip(), started_on=started_on
    )
    assignment.ended_on = ended_on
    db.session.add(assignment)
    db.session.flush()
    return assignment


def unassign(assignment: ConsultantAssignment) -> None:
    """Remove an assignment."""
    db.session.delete(assignment)
    db.session.flush()


def org_assignments(org_id: int) -> list[ConsultantAssignment]:
    """Return the consultants who advised the organisation, newest first."""
    query = (
        select(ConsultantAssignment)
        .join(Engagement, ConsultantAssignment.engagement_id == Engagement.id)
        .where(Engagement.organisation_id == org_id)
        .order_by(ConsultantAssignment.started_on.desc(), ConsultantAssignment.id.desc())
    )
    return list(db.session.scalars(query).unique())


def assignable_consultants() -> list[Consultant]:
    """Return the entries that may be assigned (not withdrawn), by name."""
    query = (
        select(Consultant)
        .join(Contact, Consultant.contact_id == Contact.id)
        .where(Consultant.status != ConsultantStatus.WITHDRAWN)
        .order_by(func.lower(Contact.last_name), func.lower(Contact.first_name), Consultant.id)
    )
    return list(db.session.scalars(query).unique())


def org_engagements(org_id: int) -> list[Engagement]:
    """Return an organisation's engagements (its programmes)."""
    query = select(Engagement).where(Engagement.organisation_id == org_id).order_by(Engagement.id)
    return list(db.session.scalars(query).unique())


def engagements_for_choice() -> list[Engagement]:
    """Return every engagement, by company name, for the consultant page's assignment form."""
    query = (
        select(Engagement)
        .join(Organisation, Engagement.organisation_id == Organisation.id)
        .order_by(func.lower(Organisation.legal_name), Engagement.id)
        .limit(2000)
    )
    return list(db.session.scalars(query).unique())

"""Who attended an event: the list, counts by gender, picking contacts and quick-adding people."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from crm.contacts.services import ContactValues, create_contact
from crm.errors import UserError
from crm.extensions import db
from crm.models import GENDERS, Attendance, Contact, Event, Organisation, User
from crm.pagination import Page, paginate
from crm.permissions import MAX_ID, visible_contacts, visible_organisations
from crm.text import fold, like_pattern

SEARCH_LIMIT = 20


@dataclass
class NewPerson:
    """A person quick-added at the event, as submitted."""

    first_name: str | None
    last_name: str | None
    organisation_id: int | None
    gender: str | None
    email: str | None = None


def attendee_page(event_id: int, per_page: int, number: int) -> Page:
    """Return one page of the event's attendance rows with contacts and organisations, by name."""
    query = (
        select(Attendance)
        .join(Attendance.contact)
        .outerjoin(Contact.organisation)
        .options(contains_eager(Attendance.contact).contains_eager(Contact.organisation))
        .where(Attendance.event_id == event_id)
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
    )
    return paginate(query, per_page, number)


def gender_counts(event_id: int) -> dict[str, int]:
    """Count the event's attendees by gender (GROUP BY), every gender listed."""
    query = (
        select(Contact.gender, func.count(Attendance.id))
        .join(Attendance, Attendance.contact_id == Contact.id)
        .where(Attendance.event_id == event_id)
        .group_by(Contact.gender)
    )
    found = {gender: n for gender, n in db.session.execute(query)}
    return {gender: int(found.get(gender, 0)) for gender in GENDERS}


def attending_ids(event_id: int, contact_ids: list[int]) -> set[int]:
    """Return which of the contacts already attend the event."""
    if not contact_ids:
        return set()
    query = select(Attendance.contact_id).where(
        Attendance.event_id == event_id, Attendance.contact_id.in_(contact_ids)
    )
    return set(db.session.scalars(query))


def search_contacts(user: User, event_id: int, term: str) -> list[tuple[Contact, bool]]:
    """Return visible contacts matching the term, each with whether they already attend."""
    if not fold(term):
        return []
    query = visible_contacts(user).where(Contact.search_text.like(like_pattern(term), escape="\\"))
    query = query.order_by(Contact.last_name, Contact.first_name, Contact.id).limit(SEARCH_LIMIT)
    found = list(db.session.scalars(query))
    present = attending_ids(event_id, [c.id for c in found])
    return [(contact, contact.id in present) for contact in found]


def attend(event: Event, contact: Contact) -> Attendance:
    """Put the contact on the event's list, or refuse (reason "already_attending") and change nothing."""
    if attending_ids(event.id, [contact.id]):
        message = _("%(name)s is already on the list.", name=contact.full_name)
        raise UserError(message, field="contact_id", reason="already_attending", contact=contact)
    attendance = Attendance(event_id=event.id, contact_id=contact.id)
    db.session.add(attendance)
    db.session.flush()
    return attendance


def add_contact(user: User, event: Event, contact_id: int | None) -> Contact:
    """Add a contact the user may see to the event, or raise UserError."""
    contact = None
    if contact_id is not None and 0 < contact_id <= MAX_ID:
        contact = db.session.scalar(visible_contacts(user).where(Contact.id == contact_id))
    if contact is None:
        raise UserError(_("Choose a person from the search results."), field="contact_id")
    attend(event, contact)
    return contact


def person_problems(user: User, person: NewPerson) -> dict[str, str]:
    """Return what is wrong with a quick-added person, by form field."""
    problems = {}
    if not (person.first_name or "").strip():
        problems["first_name"] = _("Enter the first name.")
    if not (person.last_name or "").strip():
        problems["last_name"] = _("Enter the last name.")
    if person.gender not in GENDERS:
        problems["gender"] = _("Choose the gender (or 'Not recorded').")
    if person.organisation_id is not None:
        visible = visible_organisations(user).where(Organisation.id == person.organisation_id)
        if db.session.scalar(visible) is None:
            problems["organisation_id"] = _("Choose one of the organisations.")
    return problems


def same_email(user: User, email: str | None) -> Contact | None:
    """Return the first visible contact with this e-mail address (case-insensitive)."""
    email = (email or "").strip().lower()
    if not email:
        return None
    query = visible_contacts(user).where(func.lower(Contact.email) == email).order_by(Contact.id)
    return db.session.scalars(query.limit(1)).first()


def same_name(user: User, person: NewPerson) -> Contact | None:
    """Return a visible contact with the same name (accent- and case-blind) at the same organisation."""
    wanted = (fold(person.first_name), fold(person.last_name))
    prefix = like_pattern(f"{person.first_name} {person.last_name}")[1:]  # starts with the name
    org = Contact.organisation_id
    same_org = org.is_(None) if person.organisation_id is None else org == person.organisation_id
    query = visible_contacts(user).where(same_org, Contact.search_text.like(prefix, escape="\\"))
    for contact in db.session.scalars(query.order_by(Contact.id)):
        if (fold(contact.first_name), fold(contact.last_name)) == wanted:
            return contact
    return None


def same_person(user: User, person: NewPerson) -> Contact | None:
    """Return a visible contact who is this person: same e-mail, or same name at the same organisation."""
    return same_email(user, person.email) or same_name(user, person)


def quick_add(user: User, event: Event, person: NewPerson) -> tuple[Contact, bool]:
    """Add a person to the event, creating the contact unless they exist; return it and whether new.

    An existing contact (same e-mail, or same name at the same organisation) is reused so the same
    person is never counted twice; if they already attend, a UserError with reason "already_attending"
    is raised.
    """
    problems = person_problems(user, person)
    if problems:
        raise UserError(problems=problems)
    existing = same_person(user, person)
    if existing is not None:
        attend(event, existing)
        return existing, False
    values = ContactValues(
        first_name=person.first_name or "",
        last_name=person.last_name or "",
        organisation_id=person.organisation_id,
        email=person.email,
        gender=person.gender or "not_recorded",
    )
    contact = create_contact(values)
    attend(event, contact)
    return contact, True


def remove(event: Event, attendance_id: int) -> Contact | None:
    """Take one attendance row off the event; return its contact, or None if it is not there."""
    if not 0 < attendance_id <= MAX_ID:
        return None
    attendance = db.session.scalar(
        select(Attendance).where(Attendance.id == attendance_id, Attendance.event_id == event.id)
    )
    if attendance is None:
        return None
    contact = attendance.contact
    db.session.delete(attendance)
    db.session.flush()
    return contact

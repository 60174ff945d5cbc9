"""Check-in at the door: the registered list with who arrived, ticking arrivals (once) and walk-ins."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from crm.errors import UserError
from crm.events import attendance
from crm.extensions import db
from crm.models import Attendance, Contact, Event, Organisation, Registration, User
from crm.models.event import RegistrationSource
from crm.pagination import Page, count
from crm.permissions import MAX_ID, visible_organisations
from crm.text import fold, like_pattern

PER_PAGE = 50  # one thumb-scroll of rows on a phone; the search finds anyone among 1,000
ORG_CANDIDATES = 10
# Accented letters folded in SQL (SQLite's lower() leaves them as they are), for typed organisation names.
ACCENTS = {"á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ü": "u", "ñ": "n"}


@dataclass
class Row:
    """One registered person on the door list, and whether they already arrived."""

    registration: Registration
    attended: bool

    @property
    def contact(self) -> Contact:
        """Return the registered contact."""
        return self.registration.contact


@dataclass
class Counts:
    """How many registered people arrived, out of how many, and everyone present."""

    arrived: int
    registered: int
    present: int


@dataclass
class Tick:
    """The outcome of a tick or its undo: the person, and whether it had already been done."""

    contact: Contact
    already: bool


@dataclass
class WalkIn:
    """A person who arrives without having registered, as typed at the door."""

    first_name: str | None
    last_name: str | None
    organisation_name: str | None
    gender: str | None
    email: str | None = None


def folded(column: ColumnElement) -> ColumnElement:
    """Return an SQL expression of the column lower-cased without Spanish accents (both databases)."""
    expression = func.lower(column)
    for accented, plain in ACCENTS.items():
        expression = func.replace(func.replace(expression, accented, plain), accented.upper(), plain)
    return expression


def matching(term: str) -> ColumnElement | None:
    """Return the condition for a search by name, e-mail or organisation (accent-blind), or None."""
    if not fold(term):
        return None
    pattern = like_pattern(term)
    return or_(
        Contact.search_text.like(pattern, escape="\\"),
        Organisation.search_text.like(pattern, escape="\\"),
        folded(Registration.organisation_name).like(pattern, escape="\\"),
    )


def registered_query(event_id: int, term: str = "", pending: bool = False) -> Select:
    """Select the event's registrations with the arrived flag, by name, optionally searched or pending."""
    arrived = aliased(Attendance)
    joined = and_(arrived.event_id == Registration.event_id, arrived.contact_id == Registration.contact_id)
    query = (
        select(Registration, arrived.id.is_not(None))
        .join(Registration.contact)
        .outerjoin(Contact.organisation)
        .outerjoin(arrived, joined)
        .options(contains_eager(Registration.contact).contains_eager(Contact.organisation))
        .where(Registration.event_id == event_id)
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
    )
    condition = matching(term)
    if condition is not None:
        query = query.where(condition)
    return query.where(arrived.id.is_(None)) if pending else query


def registered_page(event_id: int, term: str, pending: bool, number: int) -> Page:
    """Return one page of the door list (rows of registration and arrived flag)."""
    query = registered_query(event_id, term, pending)
    found = db.session.execute(query.limit(PER_PAGE).offset((number - 1) * PER_PAGE)).unique().all()
    rows = [Row(registration, bool(flag)) for registration, flag in found]
    return Page(rows, count(query), number, PER_PAGE)


def counts(event_id: int) -> Counts:
    """Count registered people, those of them who arrived, and everyone present at the event."""
    registered = select(func.count(Registration.id)).where(Registration.event_id == event_id)
    arrived = registered.join(
        Attendance,
        and_(Attendance.event_id == Registration.event_id, Attendance.contact_id == Registration.contact_id),
    )
    present = select(func.count(Attendance.id)).where(Attendance.event_id == event_id)
    return Counts(
        arrived=db.session.scalar(arrived) or 0,
        registered=db.session.scalar(registered) or 0,
        present=db.session.scalar(present) or 0,
    )


def registered_contact(event: Event, contact_id: int | None) -> Contact:
    """Return a person registered for the event by contact id, or refuse with a UserError."""
    registration = None
    if contact_id is not None and 0 < contact_id <= MAX_ID:
        query = select(Registration).where(
            Registration.event_id == event.id, Registration.contact_id == contact_id
        )
        registration = db.session.scalar(query)
    if registration is None:
        raise UserError(_("This person is not registered for this event. Nothing was changed."))
    return registration.contact


def check_in(event: Event, contact_id: int | None) -> Tick:
    """Record that a registered person arrived, once: a second tick says so and adds nothing."""
    contact = registered_contact(event, contact_id)
    if attendance.attending_ids(event.id, [contact.id]):
        return Tick(contact, already=True)
    try:
        with db.session.begin_nested():  # a tick sent twice at once (a retry) meets the unique pair
            db.session.add(Attendance(event_id=event.id, contact_id=contact.id))
    except IntegrityError:
        return Tick(contact, already=True)
    return Tick(contact, already=False)


def undo_check_in(event: Event, contact_id: int | None) -> Tick:
    """Take back a registered person's arrival, once: undoing twice says so and changes nothing."""
    contact = registered_contact(event, contact_id)
    query = select(Attendance).where(Attendance.event_id == event.id, Attendance.contact_id == contact.id)
    found = db.session.scalar(query)
    if found is None:
        return Tick(contact, already=True)
    db.session.delete(found)
    db.session.flush()
    return Tick(contact, already=False)


def organisation_named(user: User, name: str | None) -> int | None:
    """Return the id of the one visible organisation with exactly this name (or RUC), else None."""
    wanted = fold(name)
    if not wanted:
        return None
    named = Organisation.search_text.like(like_pattern(wanted), escape="\\")
    query = visible_organisations(user).where(named)
    candidates = db.session.scalars(query.order_by(Organisation.id).limit(ORG_CANDIDATES))
    ids = {o.id for o in candidates if wanted in (fold(o.legal_name), fold(o.trade_name), fold(o.ruc))}
    return ids.pop() if len(ids) == 1 else None


def register(event: Event, contact: Contact, organisation_name: str | None) -> Registration:
    """Put the person on the registered list as added by the team, unless they are on it already."""
    mine = (Registration.event_id == event.id, Registration.contact_id == contact.id)
    query = select(Registration).where(*mine)
    registration = db.session.scalar(query)
    if registration is None:
        registration = Registration(
            event_id=event.id,
            contact_id=contact.id,
            source=RegistrationSource.TEAM.value,
            organisation_name=(organisation_name or "").strip()[:200] or None,
        )
        db.session.add(registration)
        db.session.flush()
    return registration


def walk_in(user: User, event: Event, person: WalkIn) -> tuple[Contact, bool]:
    """Register a walk-in and mark them arrived, reusing their contact if known; return it and whether new.

    The typed organisation is linked when exactly one visible organisation has that name, and kept as typed
    on the registration either way. Someone who already arrived is refused (reason "already_attending").
    """
    new_person = attendance.NewPerson(
        first_name=person.first_name,
        last_name=person.last_name,
        organisation_id=organisation_named(user, person.organisation_name),
        gender=person.gender,
        email=person.email,
    )
    contact, created = attendance.quick_add(user, event, new_person)
    register(event, contact, person.organisation_name)
    return contact, created

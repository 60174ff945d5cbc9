"""Invitation lists: pick contacts by filters, preview who gets the e-mail, and queue it exactly once each.

Only contacts who accept e-mail are invited (crm/compose/consent_links.py has the same rule per contact),
one per e-mail address (the same person kept twice is invited once), never twice to the same event: the
unique (event, contact) invitation row is written first and only rows that are new get an outbox e-mail,
in the same transaction. The mail worker sends them at the pace MAIL_BULK_PER_MINUTE allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from crm.compose.consent_links import WITHDRAWN
from crm.errors import UserError
from crm.events.registration import open_registration
from crm.extensions import db
from crm.models import STAGES, Attendance, Contact, Engagement, Event, Invitation, Membership, User, utcnow
from crm.organisations import listing, saved_views
from crm.organisations.listing import sector_clause
from crm.outbox import outbox_row, queue_mails
from crm.permissions import visible_contacts
from crm.sql import insert_ignoring
from crm.text import like_pattern
from crm.web import to_id

KIND = "event_invitation"
PREVIEW_ROWS = 20
MAX_RECIPIENTS = 5000  # one send; a larger list is split by narrowing the filters
ATTENDED = ("any", "none")
LANGUAGES = ("es", "en")


@dataclass(frozen=True)
class InviteFilters:
    """Who to invite, already made safe."""

    sector: int | None = None
    district: int | None = None
    association: int | None = None
    stage: str | None = None
    position: str = ""
    attended: str | None = None  # "any": came to an earlier event; "none": never came
    view: int | None = None  # a saved view of the organisation list (its filters apply to the companies)
    organisations: tuple[int, ...] = ()  # only these companies' people (the list's bulk action)

    @property
    def active(self) -> bool:
        """Return whether any filter narrows the list."""
        chosen = (self.sector, self.district, self.association, self.stage, self.position, self.attended)
        return any(chosen) or bool(self.view or self.organisations)


def parse_filters(args: Mapping[str, str]) -> InviteFilters:
    """Read the filters from a query string or form, ignoring values that make no sense."""
    return InviteFilters(
        sector=to_id(args.get("sector")),
        district=to_id(args.get("district")),
        association=to_id(args.get("association")),
        stage=args.get("stage") if args.get("stage") in STAGES else None,
        position=(args.get("position") or "").strip()[:100],
        attended=args.get("attended") if args.get("attended") in ATTENDED else None,
        view=to_id(args.get("view")),
    )


def accepts_email() -> list:
    """Return the SQL conditions of a contact who may be e-mailed (as crm.compose.consent_links.refusal)."""
    return [
        Contact.erased_at.is_(None),
        func.coalesce(Contact.email, "") != "",
        Contact.email_consent.is_(True),
        or_(Contact.consent_source.is_(None), Contact.consent_source != WITHDRAWN),
    ]


def organisation_conditions(f: InviteFilters) -> list:
    """Return the conditions on the contact's organisation: sector, district, association, stage."""
    from crm.models import Organisation

    conditions = [Organisation.id.in_(f.organisations)] if f.organisations else []
    if f.sector:
        conditions.append(sector_clause(f.sector))
    if f.district:
        conditions.append(Organisation.district_id == f.district)
    if f.association:
        member = and_(Membership.company_id == Organisation.id, Membership.association_id == f.association)
        conditions.append(exists().where(member))
    if f.stage:
        at_stage = and_(Engagement.organisation_id == Organisation.id, Engagement.stage == f.stage)
        conditions.append(exists().where(at_stage))
    return conditions


def view_conditions(user: User, f: InviteFilters) -> list:
    """Return the filters of the chosen saved view on the companies (a view the user may not use: none)."""
    if not f.view:
        return []
    view = saved_views.usable_view(user, f.view)
    return listing.filter_conditions(saved_views.filters_of(view)) if view else [false()]


def person_conditions(f: InviteFilters) -> list:
    """Return the conditions on the person: position and earlier attendance."""
    conditions = []
    if f.position:
        conditions.append(Contact.search_text.like(like_pattern(f.position), escape="\\"))
    came = exists().where(Attendance.contact_id == Contact.id)
    if f.attended == "any":
        conditions.append(came)
    elif f.attended == "none":
        conditions.append(~came)
    return conditions


def candidates(user: User, event: Event, f: InviteFilters) -> Select:
    """Select the first contact id per e-mail address among visible, e-mailable, not yet invited contacts."""
    from crm.models import Organisation

    # Already invited: this contact, or another record of the same address (one person, one e-mail).
    other = aliased(Contact)
    addresses = select(func.lower(other.email)).join(Invitation, Invitation.contact_id == other.id)
    addresses = addresses.where(Invitation.event_id == event.id, other.email.is_not(None))
    invited = func.lower(Contact.email).in_(addresses)  # NOT IN a hashed set: one pass at 100k contacts
    query = visible_contacts(user).outerjoin(Organisation, Organisation.id == Contact.organisation_id)
    query = query.where(*accepts_email(), ~invited, *organisation_conditions(f), *person_conditions(f))
    query = query.where(*view_conditions(user, f))
    query = query.with_only_columns(func.min(Contact.id).label("contact_id"))
    return query.group_by(func.lower(Contact.email))


def recipient_query(user: User, event: Event, f: InviteFilters) -> Select:
    """Select the recipients' contacts, by name."""
    ids = candidates(user, event, f).subquery()
    query = select(Contact).join(ids, ids.c.contact_id == Contact.id)
    return query.order_by(Contact.last_name, Contact.first_name, Contact.id)


def recipient_count(user: User, event: Event, f: InviteFilters) -> int:
    """Count the recipients (one per person)."""
    ids = candidates(user, event, f).subquery()
    return int(db.session.scalar(select(func.count()).select_from(ids)) or 0)


def preview(user: User, event: Event, f: InviteFilters) -> tuple[int, list[Contact]]:
    """Return how many people would be invited and the first of them, by name, in one pass.

    Only ids and names go through the sort (no joined organisation): the twenty contacts are loaded after.
    """
    ids = candidates(user, event, f).subquery()
    total = func.count().over().label("total")  # counted in the same scan as the first rows
    order = (Contact.last_name, Contact.first_name, Contact.id)
    query = select(Contact.id, total).join(ids, ids.c.contact_id == Contact.id).order_by(*order)
    rows = db.session.execute(query.limit(PREVIEW_ROWS)).all()
    if not rows:
        return 0, []
    first = select(Contact).where(Contact.id.in_([row.id for row in rows])).order_by(*order)
    return int(rows[0].total), list(db.session.scalars(first))


def already_invited(event: Event) -> int:
    """Count the people already invited to the event."""
    query = select(func.count(Invitation.id)).where(Invitation.event_id == event.id)
    return int(db.session.scalar(query) or 0)


def insert_invitations(rows: list[dict]) -> list[int]:
    """INSERT the invitations, skipping pairs already there (race-free); return the new contact ids."""
    table = Invitation.__table__
    return insert_ignoring(table, ["event_id", "contact_id"], rows, table.c.contact_id)


def invitation_rows(event: Event, user: User, contact_ids: list[int], language: str) -> list[dict]:
    """Build the invitation rows to insert."""
    stamp = utcnow()
    return [
        {
            "event_id": event.id,
            "contact_id": cid,
            "invited_by_id": user.id,
            "language": language,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for cid in contact_ids
    ]


def mail_rows(event: Event, user: User, contacts: list[Contact], language: str, note: str) -> list[dict]:
    """Build one outbox row per new invitation (key: kind, sender, contact, event)."""
    payload = {"event_id": event.id, "language": language, "note": note}
    return [
        outbox_row(
            KIND,
            user.id,
            f"event{event.id}",
            {**payload, "contact_id": c.id, "to_email": c.email, "to_name": c.full_name},
            subject_type="contact",
            subject_id=c.id,
        )
        for c in contacts
    ]


def send(user: User, event: Event, f: InviteFilters, language: str, note: str) -> int:
    """Invite every recipient once and queue their e-mails, in the caller's transaction; return how many."""
    language = language if language in LANGUAGES else "es"
    if recipient_count(user, event, f) > MAX_RECIPIENTS:
        raise UserError(
            _(
                "More than %(limit)s people match: narrow the filters and send in parts.",
                limit=format_decimal(MAX_RECIPIENTS),
            )
        )
    open_registration(event)
    wanted = list(db.session.scalars(candidates(user, event, f).limit(MAX_RECIPIENTS)))
    new_ids = set(insert_invitations(invitation_rows(event, user, wanted, language))) if wanted else set()
    contacts = [c for c in db.session.scalars(select(Contact).where(Contact.id.in_(new_ids)))]
    queue_mails(mail_rows(event, user, contacts, language, (note or "").strip()[:2000]))
    return len(contacts)

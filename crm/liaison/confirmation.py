"""Memberships a liaison asks for: an existing company stays pending until the PMU decides.

Adding a member widens what the liaison sees (the company's record and contacts), so adding a company
someone else already keeps only records a claim: the company's owner (else the outreach coordinator,
else a manager, as for referrals) gets a follow-up and confirms or rejects it. Until then the scoped
queries of crm.permissions show the liaison no record, contact or participation of that company.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, select

from crm.errors import UserError
from crm.extensions import db
from crm.interactions.follow_ups import set_done
from crm.interactions.services import notify_assignment
from crm.liaison.services import add_existing, referral_recipient
from crm.models import FollowUp, Membership, Organisation, Programme, User
from crm.permissions import visible_organisations
from crm.web import format_locale

DECISIONS = {"confirm": "confirmed", "reject": "rejected"}


def already_visible(user: User, company_id: int) -> bool:
    """Return whether the user sees the company already (a confirmed member of another association)."""
    query = visible_organisations(user).with_only_columns(Organisation.id)
    return db.session.scalar(query.where(Organisation.id == company_id)) is not None


def request_text(
    user: User, company: Organisation, association: Organisation, programme: Programme | None
) -> str:
    """Describe what the owner is asked to decide, in the words of the current locale."""
    text = _(
        "Confirm or reject: %(liaison)s (liaison) added %(company)s as a member of %(association)s. "
        "Until then the liaison sees only its name, district and sector.",
        liaison=user.name,
        company=company.legal_name,
        association=association.legal_name,
    )
    if programme is not None:
        text += " " + _("The liaison would also like to refer it to %(programme)s.", programme=programme.code)
    return text[:500]


def ask(
    user: User, company: Organisation, association: Organisation, programme: Programme | None, today: date
) -> FollowUp | None:
    """Give the company's owner (or the coordinator) a follow-up to decide, and mail them."""
    recipient = referral_recipient(company)
    if recipient is None:
        current_app.logger.warning("membership of organisation %s pending: nobody to ask", company.id)
        return None
    with force_locale(format_locale(recipient.locale or "es")):  # the follow-up is read by its assignee
        description = request_text(user, company, association, programme)
    follow_up = FollowUp(
        organisation_id=company.id,
        assignee_id=recipient.id,
        created_by_id=user.id,
        due_on=today,
        description=description,
    )
    db.session.add(follow_up)
    db.session.flush()
    notify_assignment(user, follow_up, today)
    return follow_up


def add_member(
    user: User,
    association: Organisation,
    company: Organisation,
    status: str,
    today: date,
    programme: Programme | None = None,
) -> Membership:
    """Add an existing company as a member: pending unless the liaison sees the company already."""
    if already_visible(user, company.id):
        return add_existing(user, association, company, status, today)
    # Created pending in one insert, so that its history never shows it confirmed.
    follow_up = ask(user, company, association, programme, today)
    follow_up_id = follow_up.id if follow_up else None
    return add_existing(
        user, association, company, status, today, confirmation="pending", follow_up_id=follow_up_id
    )


def decide(user: User, membership: Membership, decision: str, now: datetime) -> str:
    """Confirm or reject a pending membership, close its follow-up and return the new state."""
    if decision not in DECISIONS:
        raise UserError(_("Choose to confirm or to reject the membership."), "decision")
    if membership.confirmation != "pending":
        raise UserError(_("This membership has already been decided."))
    membership.confirmation = DECISIONS[decision]
    membership.decided_at = now
    membership.decided_by_id = user.id
    db.session.flush()
    follow_up = membership.follow_up
    if follow_up is not None and follow_up.done_at is None:
        set_done(follow_up, True, user)
    return membership.confirmation


def pending_query() -> Select:
    """Select the memberships waiting for a decision with who asked (from the follow-up), oldest first."""
    return (
        select(Membership, User.name.label("requested_by"))
        .outerjoin(FollowUp, FollowUp.id == Membership.follow_up_id)
        .outerjoin(User, User.id == FollowUp.created_by_id)
        .where(Membership.confirmation == "pending")
        .order_by(Membership.created_at, Membership.id)
    )


def company_requests(company_id: int) -> list[Any]:
    """Return a company's memberships waiting for a decision, as (Membership, requested_by) rows."""
    return list(db.session.execute(pending_query().where(Membership.company_id == company_id)))

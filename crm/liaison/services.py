"""What a liaison changes: member status with a note, the monthly review, new members, referrals.

Services take records already resolved through the scoped queries of crm.permissions, flush, and
leave the commit to the request (crm.transactions); a refusal is a crm.errors.UserError.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.exc import StaleDataError

from crm.errors import UserError
from crm.extensions import db
from crm.liaison.queries import MemberFilters, confirmed, members_query, version_of
from crm.models import MEMBERSHIP_STATUSES, ChangeLog, Engagement, Membership, Organisation, Programme, User
from crm.models.organisation import OrgKind
from crm.organisations import memberships
from crm.organisations.services import create_organisation, last_change_id
from crm.outbox import queue_mail
from crm.permissions import editable_memberships, roles_with
from crm.pipeline.services import Move, engagement_for, start

NOTE_MAX = 500
BULK_MAX = 200  # four pages of the member list; one transaction must stay short


# --- status, note and review ------------------------------------------------------------------------


def attach_note(membership: Membership, after_id: int, note: str) -> None:
    """Add the note to the change row the history hook just wrote for this membership."""
    query = (
        select(ChangeLog)
        .where(ChangeLog.id > after_id, ChangeLog.entity_type == "membership")
        .where(ChangeLog.entity_id == membership.id)
        .order_by(ChangeLog.id.desc())
    )
    row = db.session.scalars(query).first()
    if row is None:  # nothing else changed: the note gets a row of its own
        row = ChangeLog(
            action="update",
            entity_type="membership",
            entity_id=membership.id,
            organisation_id=membership.company_id,
            user_id=membership.last_reviewed_by_id,
            changes={},
        )
        db.session.add(row)
    row.changes = {**(row.changes or {}), "note": [None, note]}  # a new dict, so the JSON is saved
    db.session.flush()


def review_member(membership: Membership, user: User, status: str, note: str | None, now: datetime) -> None:
    """Set a member's status, mark it reviewed by the user and keep the note in its history."""
    if status not in MEMBERSHIP_STATUSES:
        raise UserError(_("Choose a valid membership status."), "status")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise UserError(_("Keep the note under %(count)s characters.", count=NOTE_MAX), "note")
    marker = last_change_id()
    membership.status = status
    membership.last_reviewed_at = now
    membership.last_reviewed_by_id = user.id
    db.session.flush()
    if note:
        attach_note(membership, marker, note)


def confirm_all(user: User, association_id: int, filters: MemberFilters, now: datetime) -> int:
    """Mark every listed member of the association reviewed: one query loads them, one flush saves."""
    # Through the ORM (not a bulk UPDATE) so that the history hook records each member's review.
    query = confirmed(members_query(user, association_id, filters, now)).options(lazyload("*"))
    members = list(db.session.scalars(query))
    for membership in members:
        membership.last_reviewed_at = now
        membership.last_reviewed_by_id = user.id
    db.session.flush()
    return len(members)


def ticked_members(user: User, association_id: int, ids: list[int | None]) -> list[Membership]:
    """Load (and lock) the ticked members of the association the user may change, or refuse if one is not."""
    wanted = set(ids)
    if not wanted:
        raise UserError(_("Tick at least one member company."))
    if len(wanted) > BULK_MAX:
        raise UserError(_("Tick at most %(num)s members at a time.", num=BULK_MAX))
    query = editable_memberships(user).where(
        Membership.association_id == association_id, Membership.id.in_(wanted - {None})
    )
    # Locked until the commit (PostgreSQL), so no save slips between the version check and ours.
    members = list(db.session.scalars(query.order_by(Membership.id).with_for_update(of=Membership)))
    missing = len(wanted) - len(members)  # ids of other associations, pending members, or no id at all
    if missing:
        raise UserError(
            ngettext(
                "%(num)s of the ticked companies is not a member you may change; nothing was changed.",
                "%(num)s of the ticked companies are not members you may change; nothing was changed.",
                missing,
            )
        )
    return members


def refuse_stale(members: list[Membership], seen: dict[int | None, int | None]) -> None:
    """Refuse when a member was saved since the list showed it (the version its box carried)."""
    changed = [m.company.legal_name for m in members if seen.get(m.id) not in (None, version_of(m))]
    if changed:
        raise UserError(
            _(
                "Changed by someone since you opened the list: %(names)s. Nothing was changed; "
                "reload the page and try again.",
                names=", ".join(changed),
            )
        )


def set_statuses(
    user: User, association_id: int, picks: list[tuple[int | None, int | None]], status: str, now: datetime
) -> int:
    """Give every ticked member (id, version seen) one status through review_member, or change none."""
    if status not in MEMBERSHIP_STATUSES:
        raise UserError(_("Choose a valid membership status."), "status")
    members = ticked_members(user, association_id, [ident for ident, _version in picks])
    refuse_stale(members, dict(picks))
    for membership in members:
        review_member(membership, user, status, None, now)
    return len(members)


# --- new members --------------------------------------------------------------------------------------


def add_existing(
    user: User, association: Organisation, company: Organisation, status: str, today: date, **columns: Any
) -> Membership:
    """Add a company as a member of the liaison's association (columns: its confirmation, follow-up)."""
    return memberships.add_membership(user, company, association.id, status, None, today, **columns)


def add_new_company(
    user: User, association: Organisation, values: dict[str, Any], status: str, today: date
) -> Membership:
    """Create a company (RUC validated by the organisation service) and add it as a member."""
    company = create_organisation({**values, "kind": OrgKind.COMPANY})
    return add_existing(user, association, company, status, today)


# --- referrals ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Referral:
    """What a referral did: created the engagement, linked an existing one, or found it referred."""

    engagement: Engagement
    outcome: str  # created, linked or already


def link_source(engagement: Engagement, association: Organisation, user: User, now: datetime) -> None:
    """Record the association as the source of an engagement that has none."""
    engagement.source_association_id = association.id
    engagement.referred_by_id = user.id
    engagement.referred_at = now
    try:
        db.session.flush()
    except StaleDataError:  # a race inside this request, not a stale form: the liaison just tries again
        raise UserError(_("Someone changed this company's engagement meanwhile. Try again.")) from None


def open_engagement(
    company: Organisation,
    programme: Programme,
    association: Organisation,
    user: User,
    now: datetime,
    today: date,
) -> Engagement:
    """Open the company's engagement at 'identified' with the association as its source (or a UserError)."""
    return start(
        company,
        programme,
        Move("identified", today),
        user.id,
        today,
        source_association_id=association.id,
        referred_by_id=user.id,
        referred_at=now,
    )


def refer(user: User, membership: Membership, programme: Programme, now: datetime, today: date) -> Referral:
    """Refer a member to a programme: create or link its engagement, then notify staff."""
    company, association = membership.company, membership.association
    engagement = engagement_for(company.id, programme.id)
    if engagement is None:
        referral = Referral(open_engagement(company, programme, association, user, now, today), "created")
    elif engagement.source_association_id is None:
        link_source(engagement, association, user, now)
        referral = Referral(engagement, "linked")
    else:
        return Referral(engagement, "already")
    notify(referral, company, association, programme, user)
    return referral


def referral_recipient(company: Organisation) -> User | None:
    """Return who hears of a referral: the owner, else the outreach coordinator, else a manager."""
    if company.owner is not None and company.owner.active:
        return company.owner
    email = current_app.config.get("OUTREACH_COORDINATOR_EMAIL")
    if email:
        query = select(User).where(func.lower(User.email) == email.lower(), User.active.is_(True))
        if coordinator := db.session.scalars(query).first():
            return coordinator
    fallback = User.role.in_(roles_with("referral.receive"))
    return db.session.scalars(select(User).where(fallback, User.active.is_(True)).order_by(User.id)).first()


def notify(
    referral: Referral, company: Organisation, association: Organisation, programme: Programme, user: User
) -> None:
    """Write the referral e-mail to the outbox in the same transaction."""
    recipient = referral_recipient(company)
    if recipient is None:
        current_app.logger.warning("referral of organisation %s: nobody to notify", company.id)
        return
    payload = {
        "organisation_id": company.id,
        "organisation": company.legal_name,
        "association_id": association.id,
        "association": association.legal_name,
        "programme_id": programme.id,
        "programme": programme.code,
        "referred_by_id": user.id,
        "referred_by": user.name,
        "outcome": referral.outcome,
    }
    subject = {"subject_type": "engagement", "subject_id": referral.engagement.id}
    queue_mail("referral", recipient.id, **subject, period=f"assoc-{association.id}", payload=payload)
    db.session.flush()

"""Association memberships of companies, as kept from the organisation pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import MEMBERSHIP_STATUSES, Membership, Organisation, User, utcnow
from crm.models.organisation import OrgKind
from crm.permissions import visible_memberships, visible_organisations


def company_memberships(user: User, company_id: int) -> list[Membership]:
    """Return the memberships of a company the user may see, by association name."""
    query = (
        visible_memberships(user)
        .where(Membership.company_id == company_id)
        .join(Organisation, Membership.association_id == Organisation.id)
        .order_by(Organisation.legal_name, Membership.id)
    )
    return list(db.session.scalars(query).unique())


def members_query(user: User, association_id: int) -> Select:
    """Select the member companies of an association the user may see, by company name."""
    return (
        visible_memberships(user)
        .where(Membership.association_id == association_id)
        .join(Organisation, Membership.company_id == Organisation.id)
        .order_by(Organisation.legal_name, Membership.id)
    )


def associations(user: User) -> list[Organisation]:
    """Return the associations the user may see, by name."""
    query = visible_organisations(user).where(Organisation.kind == "association")
    return list(db.session.scalars(query.order_by(Organisation.legal_name)).unique())


def check_status(status: str, since: date | None, today: date) -> None:
    """Refuse an unknown status or a start date in the future."""
    if status not in MEMBERSHIP_STATUSES:
        raise UserError(_("Choose a valid membership status."))
    if since is not None and since > today:
        raise UserError(_("The membership cannot start in the future."))


def existing(company_id: int, association_id: int) -> Membership | None:
    """Return the membership linking the two organisations, if any."""
    query = select(Membership).where(
        Membership.company_id == company_id, Membership.association_id == association_id
    )
    return db.session.scalars(query).first()


def add_membership(
    user: User,
    company: Organisation,
    association_id: int,
    status: str,
    since: date | None,
    today: date,
    **columns: Any,
) -> Membership:
    """Record that a company belongs to an association the user may see (columns: e.g. its confirmation)."""
    check_status(status, since, today)
    query = visible_organisations(user).where(Organisation.id == association_id)
    association = db.session.scalars(query).first()
    if company.kind != OrgKind.COMPANY or association is None or association.kind != OrgKind.ASSOCIATION:
        raise UserError(_("Memberships link a company to a business association."))
    if existing(company.id, association.id):
        raise UserError(
            _(
                "%(company)s is already a member of %(association)s.",
                company=company.legal_name,
                association=association.legal_name,
            )
        )
    membership = Membership(
        company_id=company.id, association_id=association.id, status=status, since=since, **columns
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def update_membership(membership: Membership, status: str, since: date | None, today: date) -> None:
    """Change a membership's status and start date."""
    check_status(status, since, today)
    membership.status = status
    membership.since = since
    db.session.flush()


def mark_reviewed(membership: Membership, user: User) -> None:
    """Record that the user checked the membership is current."""
    membership.last_reviewed_at = utcnow()
    membership.last_reviewed_by_id = user.id
    db.session.flush()


def remove_membership(membership: Membership) -> None:
    """Delete a membership (its history stays)."""
    db.session.delete(membership)
    db.session.flush()

"""What the organisations feature does when an organisation is merged or deleted: its memberships."""

from __future__ import annotations

from sqlalchemy import or_, select

from crm.extensions import db
from crm.models import Membership
from crm.registry import on_delete, on_merge


def memberships_of(org_id: int):
    """Select the memberships the organisation is on either side of."""
    return select(Membership).where(or_(Membership.company_id == org_id, Membership.association_id == org_id))


@on_merge(50)
def move_memberships(keep_id: int, drop_id: int) -> None:
    """Move memberships to the survivor; drop those it already has, and any it would have with itself."""
    pairs = {(m.company_id, m.association_id) for m in db.session.scalars(memberships_of(keep_id))}
    for membership in db.session.scalars(memberships_of(drop_id)).all():
        company = keep_id if membership.company_id == drop_id else membership.company_id
        association = keep_id if membership.association_id == drop_id else membership.association_id
        if company == association or (company, association) in pairs:
            db.session.delete(membership)
            continue
        membership.company_id, membership.association_id = company, association
        pairs.add((company, association))


@on_delete(10)
def delete_memberships(org_id: int) -> None:
    """Delete the organisation's memberships."""
    for membership in db.session.scalars(memberships_of(org_id)):
        db.session.delete(membership)

"""The pipeline section of the organisation page: each engagement with its stage timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Engagement, Membership, Organisation, Programme, StageTransition, User
from crm.models.organisation import OrgKind
from crm.permissions import can, visible_organisations
from crm.pipeline.evidence import pending_clause
from crm.pipeline.forms import EngageForm
from crm.web import locale


def marked_engagements(org_id: int) -> list[tuple[Engagement, bool]]:
    """Return the company's engagements (programme, referring association) and whether evidence is pending."""
    query = (
        select(Engagement, pending_clause().label("evidence_pending"))
        .where(Engagement.organisation_id == org_id)
        .options(joinedload(Engagement.source_association))
        .order_by(Engagement.id)
    )
    return [(engagement, bool(pending)) for engagement, pending in db.session.execute(query).unique()]


def engagements_of(org_id: int) -> list[Engagement]:
    """Return the company's engagements with their programme and referring association."""
    return [engagement for engagement, _pending in marked_engagements(org_id)]


def timelines(engagement_ids: list[int]) -> dict[int, list[StageTransition]]:
    """Return each engagement's transitions, oldest first, with one query for all of them."""
    found: dict[int, list[StageTransition]] = {ident: [] for ident in engagement_ids}
    if not engagement_ids:
        return found
    query = (
        select(StageTransition)
        .where(StageTransition.engagement_id.in_(engagement_ids))
        .options(joinedload(StageTransition.by).lazyload(User.associations))  # only the name is shown
        .order_by(StageTransition.occurred_on, StageTransition.id)
    )
    for transition in db.session.scalars(query).unique():
        found[transition.engagement_id].append(transition)
    return found


def open_programmes(engagements: list[Engagement]) -> list[Programme]:
    """Return the active programmes the company is not engaged in yet."""
    taken = {e.programme_id for e in engagements}
    query = select(Programme).where(Programme.active.is_(True)).order_by(Programme.id)
    return [p for p in db.session.scalars(query) if p.id not in taken]


def member_associations(user: User, company_id: int) -> list[Organisation]:
    """Return the visible associations the company belongs to: the possible referral sources."""
    members = select(Membership.association_id).where(Membership.company_id == company_id)
    query = visible_organisations(user).where(Organisation.id.in_(members))
    return list(db.session.scalars(query.order_by(Organisation.legal_name)))


def engage_form(user: User, org: Organisation, engagements: list[Engagement]) -> EngageForm | None:
    """Return the 'engage in programme' form when the user may start one and a programme is open."""
    if not can(user, "pipeline.move"):
        return None
    programmes = open_programmes(engagements)
    if not programmes:
        return None
    form = EngageForm(formdata=None, prefix="engage")
    form.set_choices(programmes, member_associations(user, org.id), locale())
    return form


def org_panel(user: User, org: Organisation) -> dict[str, Any] | None:
    """Return what the section shows, or None when the user may not see it."""
    if org.kind != OrgKind.COMPANY or not can(user, "pipeline.view"):
        return None
    rows = marked_engagements(org.id)
    engagements = [engagement for engagement, _pending in rows]
    return {
        "org": org,
        "engagements": engagements,
        "pending": {engagement.id for engagement, pending in rows if pending},
        "timelines": timelines([e.id for e in engagements]),
        "engage_form": engage_form(user, org, engagements),
    }

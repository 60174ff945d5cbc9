"""The referral section of the organisation page, for the technical team and viewers.

A company's page also lists the memberships liaisons asked for that wait for the team's decision.

An association's page shows its member funnel and the companies it referred with their stage; a
company's page shows who referred it. Liaisons never get this section: stages are not theirs to see
(their portal shows participation coarsely), and a company may have been referred by another association.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, select

from crm.extensions import db
from crm.liaison.confirmation import company_requests
from crm.models import STAGES, Engagement, Membership, Organisation, Programme, StageTransition, User
from crm.models.organisation import OrgKind
from crm.pagination import Page, count, page_number
from crm.permissions import can
from crm.web import locale, page_size


def programme_name() -> Any:
    """Return the programme name column of the request's language."""
    return Programme.name_en if locale() == "en" else Programme.name_es


def member_ids(association_id: int) -> Select:
    """Select the ids of the association's member companies."""
    return select(Membership.company_id).where(Membership.association_id == association_id)


def reached_counts(association_id: int) -> dict[str, dict[int, int]]:
    """Count members' engagements by the furthest forward stage their transitions reached, per programme."""
    position = case(*[(StageTransition.to_stage == s, i) for i, s in enumerate(STAGES)], else_=-1)
    per_engagement = (
        select(Engagement.programme_id, func.max(position).label("reached"))
        .join(StageTransition, StageTransition.engagement_id == Engagement.id)
        .where(Engagement.organisation_id.in_(member_ids(association_id)))
        .group_by(Engagement.id, Engagement.programme_id)
        .subquery()
    )
    name = programme_name()
    query = (
        select(name, per_engagement.c.reached, func.count())
        .join(Programme, Programme.id == per_engagement.c.programme_id)
        .group_by(Programme.id, name, per_engagement.c.reached)
        .order_by(Programme.id)
    )
    counts: dict[str, dict[int, int]] = {}
    for programme, reached, number in db.session.execute(query):
        counts.setdefault(programme, {})[reached] = number
    return counts


def funnel(association_id: int) -> list[dict[str, Any]]:
    """Return, per programme, how many member engagements reached each stage or a later one."""
    rows = []
    for programme, by_position in reached_counts(association_id).items():
        reached = [sum(n for pos, n in by_position.items() if pos >= i) for i in range(len(STAGES))]
        rows.append({"programme": programme, "reached": reached})
    return rows


def referred_query(association_id: int) -> Select:
    """Select the companies the association referred, with programme, stage, date and liaison."""
    return (
        select(
            Organisation.id,
            Organisation.legal_name,
            programme_name().label("programme"),
            Engagement.stage,
            Engagement.referred_at,
            User.name.label("referred_by"),
        )
        .join(Organisation, Engagement.organisation_id == Organisation.id)
        .join(Programme, Engagement.programme_id == Programme.id)
        .outerjoin(User, Engagement.referred_by_id == User.id)
        .where(Engagement.source_association_id == association_id)
        .order_by(Engagement.referred_at.desc(), Engagement.id.desc())
    )


def window_page(query: Select, per_page: int, number: int) -> Page:
    """Return one page of named rows, counting the total in the same query (a window count)."""
    counted = query.add_columns(func.count().over().label("total"))
    rows = db.session.execute(counted.limit(per_page).offset((number - 1) * per_page)).all()
    total = rows[0].total if rows else (count(query) if number > 1 else 0)
    return Page(list(rows), total, number, per_page)


def association_panel(org: Organisation) -> dict[str, Any]:
    """Return an association's member funnel and referred companies (two queries)."""
    page = window_page(referred_query(org.id), page_size(), page_number("rpage"))
    return {"kind": OrgKind.ASSOCIATION, "stages": STAGES, "funnel": funnel(org.id), "referred": page}


def company_panel(org: Organisation, requests: list[Any]) -> dict[str, Any] | None:
    """Return who referred the company and the memberships waiting for a decision, or None if neither."""
    source = select(Organisation.legal_name).where(Organisation.id == Engagement.source_association_id)
    query = (
        select(
            Engagement.source_association_id.label("association_id"),
            source.scalar_subquery().label("association"),
            programme_name().label("programme"),
            Engagement.referred_at,
            User.name.label("referred_by"),
        )
        .join(Programme, Engagement.programme_id == Programme.id)
        .outerjoin(User, Engagement.referred_by_id == User.id)
        .where(Engagement.organisation_id == org.id, Engagement.source_association_id.is_not(None))
        .order_by(Engagement.referred_at, Engagement.id)
    )
    rows = db.session.execute(query).all()
    return {"kind": OrgKind.COMPANY, "referrals": rows, "requests": requests} if rows or requests else None


def org_panel(user: User, org: Organisation) -> dict[str, Any] | None:
    """Return the section's data, or None to hide it (liaisons and roles without the pipeline)."""
    if not (can(user, "referral.view_all") and can(user, "pipeline.view")):
        return None
    if org.kind == OrgKind.ASSOCIATION:
        return association_panel(org)
    if org.kind != OrgKind.COMPANY:
        return None
    requests = company_requests(org.id) if can(user, "membership.edit") else []
    return company_panel(org, requests)

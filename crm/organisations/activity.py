"""The organisation page's summary header and activity timeline.

The timeline mixes interactions (captured e-mails are interactions of kind e-mail), stage moves and
letters, newest first, filterable by type and paginated: one UNION ALL of (type, date, id) in SQL, then one
query per type for the rows of the page. Each type shows only to roles that may see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, String, case, func, literal, literal_column, select, union_all
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Engagement, FollowUp, Interaction, Letter, Organisation, StageTransition, User
from crm.pagination import Page
from crm.permissions import can

TYPES = ("interaction", "email", "stage", "letter")
NO_DATE = date(1900, 1, 1)  # letters without any date sort last
PERMISSION = {"interaction": "interaction.view", "email": "interaction.view"}
PERMISSION |= {"stage": "pipeline.view", "letter": "letter.view"}


@dataclass
class Summary:
    """What the page's header tells at a glance."""

    stages: list[tuple[str, str]] = field(default_factory=list)  # (programme, stage)
    last_interaction: date | None = None
    open_follow_ups: int = 0
    next_due: date | None = None
    letters: dict[str, int] = field(default_factory=dict)  # status -> count


@dataclass
class Item:
    """One line of the timeline: its type, its date and the record."""

    type: str
    on: date
    record: Any


def allowed_types(user: User) -> list[str]:
    """Return the timeline types the user may see."""
    return [t for t in TYPES if can(user, PERMISSION[t])]


def stages(org: Organisation) -> list[tuple[str, str]]:
    """Return (programme, stage) of each of the organisation's engagements."""
    query = select(Engagement).where(Engagement.organisation_id == org.id).order_by(Engagement.programme_id)
    return [(e.programme.code, e.stage) for e in db.session.scalars(query)]


def contact_figures(org_id: int) -> tuple[date | None, int, date | None]:
    """Return the last interaction's date, how many follow-ups are open and the next due, in one query."""
    last = select(func.max(Interaction.occurred_on)).where(Interaction.organisation_id == org_id)
    still_open = (FollowUp.organisation_id == org_id, FollowUp.done_at.is_(None))
    counted = select(func.count(FollowUp.id)).where(*still_open)
    due = select(func.min(FollowUp.due_on)).where(*still_open)
    row = db.session.execute(select(last.scalar_subquery(), counted.scalar_subquery(), due.scalar_subquery()))
    return tuple(row.one())  # type: ignore[return-value]


def letter_counts(org_id: int) -> dict[str, int]:
    """Return the organisation's letters counted by status."""
    query = (
        select(Letter.status, func.count()).where(Letter.organisation_id == org_id).group_by(Letter.status)
    )
    return dict(db.session.execute(query).all())


def summary(user: User, org: Organisation) -> Summary:
    """Return the header's figures the user may see."""
    found = Summary()
    if can(user, "pipeline.view"):
        found.stages = stages(org)
    if can(user, "interaction.view"):
        found.last_interaction, found.open_follow_ups, found.next_due = contact_figures(org.id)
    if can(user, "letter.view"):
        found.letters = letter_counts(org.id)
    return found


def text_value(value: str) -> Any:
    """Return a string constant written into the SQL (a bound parameter has no type in a UNION)."""
    return literal_column(f"'{value}'", String)


def interaction_part(org_id: int, types: list[str]) -> Select:
    """Select the organisation's interactions (e-mails as their own type)."""
    type_ = case((Interaction.kind == "email", text_value("email")), else_=text_value("interaction"))
    query = select(type_.label("type"), Interaction.occurred_on.label("on"), Interaction.id.label("id"))
    query = query.where(Interaction.organisation_id == org_id)
    if "email" not in types:
        query = query.where(Interaction.kind != "email")
    if "interaction" not in types:
        query = query.where(Interaction.kind == "email")
    return query


def stage_part(org_id: int) -> Select:
    """Select the organisation's stage moves."""
    columns = (text_value("stage").label("type"), StageTransition.occurred_on.label("on"), StageTransition.id)
    query = select(*columns).join(Engagement, Engagement.id == StageTransition.engagement_id)
    return query.where(Engagement.organisation_id == org_id)


def letter_part(org_id: int) -> Select:
    """Select the organisation's letters, dated by their latest step."""
    on = func.coalesce(Letter.signed_on, Letter.received_on, Letter.requested_on, literal(NO_DATE, Date))
    return select(text_value("letter").label("type"), on.label("on"), Letter.id).where(
        Letter.organisation_id == org_id
    )


def timeline_query(org_id: int, types: list[str]) -> Any:
    """Return the UNION ALL of the types shown, as a subquery."""
    selects = []
    if "interaction" in types or "email" in types:
        selects.append(interaction_part(org_id, types))
    if "stage" in types:
        selects.append(stage_part(org_id))
    if "letter" in types:
        selects.append(letter_part(org_id))
    return union_all(*selects).subquery() if selects else None


LOADERS = {
    "interaction": (Interaction, (selectinload(Interaction.follow_ups),)),
    "email": (Interaction, ()),
    "stage": (StageTransition, (selectinload(StageTransition.engagement),)),
    "letter": (Letter, ()),
}


def load(rows: list[Any]) -> dict[tuple[str, int], Any]:
    """Load the records of one page: one query per type present."""
    found: dict[tuple[str, int], Any] = {}
    for type_ in {r.type for r in rows}:
        model, options = LOADERS[type_]
        ids = [r.id for r in rows if r.type == type_]
        for record in db.session.scalars(select(model).where(model.id.in_(ids)).options(*options)):
            found[(type_, record.id)] = record
    return found


def count_rows(sub: Any) -> int:
    """Count the timeline's rows in SQL."""
    return db.session.scalar(select(func.count()).select_from(sub)) or 0


def timeline(user: User, org_id: int, wanted: str | None, per_page: int, number: int) -> Page:
    """Return one page of the organisation's activity the user may see, newest first."""
    types = [t for t in allowed_types(user) if wanted in (None, t)]
    sub = timeline_query(org_id, types)
    if sub is None:
        return Page([], 0, 1, per_page)
    query = select(sub.c.type, sub.c.on, sub.c.id).order_by(sub.c.on.desc(), sub.c.type, sub.c.id.desc())
    offset = (number - 1) * per_page
    rows = db.session.execute(query.limit(per_page).offset(offset)).all()
    # A page that is not full tells the total without counting (the usual case: one short page).
    total = offset + len(rows) if 0 < len(rows) < per_page else count_rows(sub)
    records = load(rows)
    items = [Item(r.type, r.on, records[(r.type, r.id)]) for r in rows if (r.type, r.id) in records]
    return Page(items, total, number, per_page)

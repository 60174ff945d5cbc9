"""Conversion metrics: per programme and group, how many engagements ever reached each stage.

An engagement "reached" a forward stage when its transition history (up to the snapshot date) went to
that stage or to a later one (a company that jumped from identified to meeting held was contacted);
exits (declined, on hold, withdrawn) count the engagements that ever went there. Everything is one
GROUP BY query per dimension; the rows are upserted so that a second run on the same day rewrites them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.models import (
    EXITS,
    STAGES,
    District,
    Engagement,
    Membership,
    MetricSnapshot,
    Organisation,
    Sector,
    StageTransition,
    utcnow,
)

# total: the whole programme · sector: ISIC section of the company's sector · association: the
# association that referred the engagement · member_of: each association the company is an active
# member of · district.
DIMENSIONS = ("total", "sector", "association", "member_of", "district")
NONE_KEY = "none"  # companies without a sector, district, referring association or membership
TOTAL_KEY = "all"  # the 'total' dimension: one row per programme


def history(on: date) -> Any:
    """Per engagement: the furthest forward stage reached and whether it ever exited, up to a day."""
    rank = case({stage: i for i, stage in enumerate(STAGES)}, value=StageTransition.to_stage, else_=-1)
    exits = [func.max(case((StageTransition.to_stage == stage, 1), else_=0)).label(stage) for stage in EXITS]
    return (
        select(StageTransition.engagement_id.label("engagement_id"), func.max(rank).label("top"), *exits)
        .where(StageTransition.occurred_on <= on)
        .group_by(StageTransition.engagement_id)
        .subquery()
    )


def reached_columns(per: Any) -> list[Any]:
    """SUM columns: engagements that reached each stage (forward stages cumulative), and each exit."""
    forward = [func.sum(case((per.c.top >= i, 1), else_=0)).label(stage) for i, stage in enumerate(STAGES)]
    return forward + [func.sum(per.c[stage]).label(stage) for stage in EXITS]


def group_of(dimension: str) -> tuple[Any, Any, list[tuple[Any, Any]]]:
    """Return the group key and label expressions of a dimension and the outer joins they need."""
    if dimension == "total":
        return None, literal_column("''"), []
    if dimension == "sector":
        own, section = aliased(Sector), aliased(Sector)
        joins = [(own, own.id == Organisation.sector_id), (section, section.id == own.parent_id)]
        return func.coalesce(section.code, own.code), func.coalesce(section.name_es, own.name_es), joins
    if dimension == "district":
        return District.ubigeo, District.name, [(District, District.id == Organisation.district_id)]
    association = aliased(Organisation)
    if dimension == "association":
        joins = [(association, association.id == Engagement.source_association_id)]
    else:
        member = and_(Membership.company_id == Organisation.id, Membership.status == "active")
        joins = [(Membership, member), (association, association.id == Membership.association_id)]
    return cast(association.id, String), association.legal_name, joins


def grouped(dimension: str, on: date) -> Any:
    """The GROUP BY query of one dimension for every programme."""
    per = history(on)
    key, label, joins = group_of(dimension)
    grouping = [Engagement.programme_id]
    if key is None:  # one row per programme
        key = literal_column(f"'{TOTAL_KEY}'")
    else:
        key = func.coalesce(key, literal_column(f"'{NONE_KEY}'"))
        grouping.append(key)
    query = (
        select(
            Engagement.programme_id, key.label("key"), func.max(label).label("label"), *reached_columns(per)
        )
        .join(per, per.c.engagement_id == Engagement.id)
        .join(Organisation, Organisation.id == Engagement.organisation_id)
    )
    for target, condition in joins:
        query = query.outerjoin(target, condition)
    return query.group_by(*grouping)


def snapshot_rows(dimension: str, on: date) -> list[dict[str, Any]]:
    """Run one dimension's query and shape its rows for the snapshot table."""
    rows = []
    for row in db.session.execute(grouped(dimension, on)):
        reached = {stage: int(row._mapping[stage] or 0) for stage in (*STAGES, *EXITS)}
        rows.append(
            {
                "taken_on": on,
                "programme_id": row.programme_id,
                "dimension": dimension,
                "group_key": str(row.key)[:40],
                "group_label": (row.label or "")[:250],
                "contacted": reached["contacted"],
                "loi_signed": reached["loi_signed"],
                "reached": reached,
                "created_at": utcnow(),
            }
        )
    return rows


def upsert(rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT (day, programme, dimension, group) DO UPDATE."""
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(MetricSnapshot.__table__)
    changing = ("group_label", "contacted", "loi_signed", "reached", "created_at")
    statement = statement.on_conflict_do_update(
        index_elements=["taken_on", "programme_id", "dimension", "group_key"],
        set_={name: statement.excluded[name] for name in changing},
    )
    db.session.execute(statement, rows)


def drop_vanished(dimension: str, on: date, rows: list[dict[str, Any]]) -> None:
    """Delete the day's rows of groups that no longer exist (e.g. a company changed sector)."""
    keep = {(r["programme_id"], r["group_key"]) for r in rows}
    query = select(MetricSnapshot).where(MetricSnapshot.taken_on == on, MetricSnapshot.dimension == dimension)
    for snapshot in db.session.scalars(query):
        if (snapshot.programme_id, snapshot.group_key) not in keep:
            db.session.delete(snapshot)


def compute_snapshots(on: date, progress: Callable[[int, int], None] | None = None) -> int:
    """Compute and upsert every dimension's rows for a day; flush; return the number of rows."""
    written = 0
    for index, dimension in enumerate(DIMENSIONS):
        rows = snapshot_rows(dimension, on)
        upsert(rows)
        drop_vanished(dimension, on, rows)
        db.session.flush()
        written += len(rows)
        if progress is not None:
            progress(index + 1, len(DIMENSIONS))
    return written

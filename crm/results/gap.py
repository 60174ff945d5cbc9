"""The gap to target: verified and expected reductions against each GEF target, and who to approach next.

Prospects are companies not yet engaged, or stalled: on hold, or in a stage before "adopting" that has
not changed for STALLED_DAYS (a reporting half-year). Companies moving on (a stage change within that
time, or adopting) and those that declined or withdrew everywhere are left out. They are ranked by the
estimated reduction potential of their emission profile (unknown potential last).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, func, not_, or_, select

from crm.extensions import db
from crm.models import Engagement, Indicator, Organisation
from crm.models.organisation import EmissionProfile, OrgKind
from crm.models.pipeline import Stage
from crm.reports.indicators import GEF_RULES, Figure, compute
from crm.results import queries

STALLED_DAYS = 182
OPEN_STAGES = tuple(s.value for s in Stage if s not in (Stage.ADOPTING, Stage.DECLINED, Stage.WITHDRAWN))


@dataclass
class TargetLine:
    """One GEF indicator: the verified figure, the other statuses apart, the projection and the gap."""

    figure: Figure
    reported: Decimal
    estimated: Decimal
    gap: Decimal | None


def gef_indicators() -> list[Indicator]:
    """Return the indicators computed from results, in framework order."""
    rows = db.session.scalars(select(Indicator).order_by(Indicator.position, Indicator.code))
    return [i for i in rows if " ".join(i.computed_from.split()).lower() in GEF_RULES]


def target_lines(today: date) -> list[TargetLine]:
    """Return each GEF indicator's verified value, reported and estimated apart, projection and gap."""
    achieved = queries.by_status("achieved", today)
    lines = []
    for indicator in gef_indicators():
        figure = compute(indicator, today)
        measure = GEF_RULES[" ".join(indicator.computed_from.split()).lower()]
        unit = indicator.unit if measure == "upops" else None

        def other(status: str, measure: str = measure, unit: str | None = unit) -> Decimal:
            value = achieved[status].value(measure)
            return queries.in_unit(value, unit) if unit else value

        gap = None if figure.target is None else max(figure.target - (figure.value or 0), Decimal(0))
        lines.append(TargetLine(figure, other("reported"), other("estimated"), gap))
    return lines


def engaged(condition: Any) -> Any:
    """SQL: the organisation has an engagement matching the condition."""
    return exists().where(Engagement.organisation_id == Organisation.id, condition)


def prospects(today: date, sector_id: int | None = None, district_id: int | None = None) -> Select:
    """Select (company, potential, stalled) of the companies to approach next, largest potential first."""
    cutoff = today - timedelta(days=STALLED_DAYS)
    moving = engaged(
        or_(
            Engagement.stage == Stage.ADOPTING,
            and_(Engagement.stage.in_(OPEN_STAGES), Engagement.stage_since > cutoff),
        )
    )
    stalled = engaged(
        or_(
            Engagement.stage == Stage.ON_HOLD,
            and_(Engagement.stage.in_(OPEN_STAGES), Engagement.stage_since <= cutoff),
        )
    )
    any_engagement = engaged(Engagement.id.is_not(None))
    potential = EmissionProfile.reduction_potential_tco2e
    query = (
        select(Organisation, potential, any_engagement.label("stalled"))
        .outerjoin(EmissionProfile, EmissionProfile.organisation_id == Organisation.id)
        .where(Organisation.kind == OrgKind.COMPANY, not_(moving), or_(not_(any_engagement), stalled))
        .order_by(potential.desc().nulls_last(), Organisation.legal_name, Organisation.id)
    )
    if sector_id:
        query = query.where(Organisation.sector_id == sector_id)
    if district_id:
        query = query.where(Organisation.district_id == district_id)
    return query


def prospect_page(query: Select, per_page: int, number: int) -> tuple[list[Any], int]:
    """Return one page of prospects and their total count."""
    rows = db.session.execute(query.limit(per_page).offset((number - 1) * per_page)).unique().all()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(rows), total


def by_group(query: Select, column: Any) -> list[tuple[Any, int, Decimal]]:
    """Return the prospects grouped by a column (sector or district): count and summed potential."""
    inner = (
        query.order_by(None)
        .with_only_columns(
            Organisation.id, column.label("key"), EmissionProfile.reduction_potential_tco2e.label("potential")
        )
        .subquery()
    )
    total = func.coalesce(func.sum(inner.c.potential), 0)
    grouped = (
        select(inner.c.key, func.count(inner.c.id), total)
        .group_by(inner.c.key)
        .order_by(total.desc(), inner.c.key)
    )
    return [(key, int(n), Decimal(p)) for key, n, p in db.session.execute(grouped)]

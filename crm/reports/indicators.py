"""Results framework: every indicator computed live from the records, with its rating and light.

Each indicator names its rule in `computed_from`; RULES maps that text to a counting query.
Values are counted up to an "as of" date (a reporting period's last day, or today); records
without a date (e.g. a signed letter with no signing date) count whatever the date.

Indicators an administrator defined (kind computed or manual) are counted by
crm.reports.custom_indicators. The target is the period's (IndicatorTarget) when one is set for the
period asked for, else the end-of-project target.

Achievement = value / target × 100. Rating (the evaluation's 6-point scale, by achievement):
≥ 90 % → 6 highly satisfactory, ≥ 70 → 5, ≥ 50 → 4, ≥ 30 → 3, ≥ 10 → 2, below → 1.
Traffic light: "reached" at 100 % or more, "on the way" from 50 % (rating 4 or better),
"not on track" below 50 %. Without a target there is no achievement, rating or light.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from crm.extensions import db
from crm.models import (
    EXITS,
    STAGES,
    Attendance,
    Consultant,
    Contact,
    Engagement,
    Event,
    Indicator,
    Letter,
    Organisation,
    StageTransition,
)
from crm.models.organisation import OrgKind
from crm.reports.sql import POSITIONS, position
from crm.reports.tables import percent
from crm.results import queries as results

RATINGS = ((90, 6), (70, 5), (50, 4), (30, 3), (10, 2))
RATING_NAMES = {
    6: _l("Highly satisfactory"),
    5: _l("Satisfactory"),
    4: _l("Moderately satisfactory"),
    3: _l("Moderately unsatisfactory"),
    2: _l("Unsatisfactory"),
    1: _l("Highly unsatisfactory"),
}
REACHED, ON_THE_WAY = Decimal(100), Decimal(50)
LIGHTS = {"reached": _l("Reached"), "on_the_way": _l("On the way"), "not_on_track": _l("Not on track")}
RECORDED_GENDERS = ("female", "male", "other")


def up_to(column: Any, as_of: date | None) -> list[Any]:
    """Keep rows dated on or before as_of (undated rows always count)."""
    return [] if as_of is None else [or_(column.is_(None), column <= as_of)]


def companies_reaching(stage: str) -> Callable[[date | None], int]:
    """Return a rule counting companies with a transition to the stage or beyond."""

    def rule(as_of: date | None) -> int:
        query = (
            select(func.count(func.distinct(Engagement.organisation_id)))
            .join_from(StageTransition, Engagement, StageTransition.engagement_id == Engagement.id)
            .join(Organisation, Organisation.id == Engagement.organisation_id)
            .where(Organisation.kind == OrgKind.COMPANY, StageTransition.to_stage.in_(STAGES))
            .where(
                position(StageTransition.to_stage) >= POSITIONS[stage],
                *up_to(StageTransition.occurred_on, as_of),
            )
        )
        return db.session.scalar(query) or 0

    return rule


def signed_letters(kind: str, distinct_companies: bool) -> Callable[[date | None], int]:
    """Return a rule counting signed letters of a kind (or the distinct organisations that signed one)."""

    def rule(as_of: date | None) -> int:
        counted = func.count(func.distinct(Letter.organisation_id)) if distinct_companies else func.count()
        query = select(counted).where(
            Letter.kind == kind, Letter.status == "signed", *up_to(Letter.signed_on, as_of)
        )
        return db.session.scalar(query) or 0

    return rule


def institutions(as_of: date | None) -> int:
    """Count institutions taking part: a signed cooperation or co-finance letter, or a live engagement.

    Institutions rarely enter the company pipeline; their participation shows in what they sign.
    """
    signed = select(Letter.organisation_id).where(
        Letter.kind.in_(("cooperation", "cofinance")),
        Letter.status == "signed",
        *up_to(Letter.signed_on, as_of),
    )
    engaged = select(Engagement.organisation_id).where(Engagement.stage.not_in(EXITS))
    query = select(func.count(Organisation.id)).where(
        Organisation.kind != OrgKind.COMPANY, Organisation.id.in_(signed.union(engaged))
    )
    return db.session.scalar(query) or 0


def events_of_type(as_of: date | None) -> int:
    """Count awareness events held up to the date."""
    return (
        db.session.scalar(select(func.count()).where(Event.type == "awareness", *up_to(Event.held_on, as_of)))
        or 0
    )


def awareness_people(as_of: date | None, gender: tuple[str, ...] | None = None) -> int:
    """Count distinct people who attended awareness events (optionally of some genders)."""
    query = (
        select(func.count(func.distinct(Attendance.contact_id)))
        .join(Event, Event.id == Attendance.event_id)
        .join(Contact, Contact.id == Attendance.contact_id)
        .where(Event.type == "awareness", *up_to(Event.held_on, as_of))
    )
    if gender:
        query = query.where(Contact.gender.in_(gender))
    return db.session.scalar(query) or 0


def women_share(as_of: date | None) -> Decimal | None:
    """Return the percentage of women among awareness attendees with a recorded gender."""
    return percent(awareness_people(as_of, ("female",)), awareness_people(as_of, RECORDED_GENDERS))


def gender_specific(as_of: date | None) -> int:
    """Count events flagged gender-specific held up to the date."""
    query = select(func.count()).where(Event.gender_specific.is_(True), *up_to(Event.held_on, as_of))
    return db.session.scalar(query) or 0


def consultants(as_of: date | None) -> int:
    """Count the registry's consultants qualified on the day (now: those qualified today).

    As of a date: qualified on or before it (an unknown qualification date counts while qualified), and
    not suspended or withdrawn on or before it since.
    """
    query = select(func.count()).select_from(Consultant)
    if as_of is None:
        return db.session.scalar(query.where(Consultant.status == "qualified")) or 0
    qualified = or_(
        Consultant.qualified_on <= as_of,
        and_(Consultant.qualified_on.is_(None), Consultant.status == "qualified"),
    )
    left = or_(
        and_(Consultant.status == "suspended", Consultant.suspended_on <= as_of),
        and_(Consultant.status == "withdrawn", Consultant.withdrawn_on <= as_of),
    )
    return db.session.scalar(query.where(qualified, ~left, Consultant.status != "candidate")) or 0


def reduction(measure: str, projected: bool = False) -> Callable[[date | None], Decimal]:
    """Return a rule adding up verified achieved reductions (or, projected, every expected one)."""

    def rule(as_of: date | None) -> Decimal:
        totals = results.projected(as_of) if projected else results.verified(as_of)
        return totals.value(measure)

    return rule


# The GEF core indicators: verified results count; the expected reductions of all results are the projection.
GEF_RULES = {
    "tco2eq reduced by verified results": "tco2e",
    "u-pops eliminated by verified results": "upops",
    "energy saved by verified results": "energy",
}
PROJECTIONS = {text: reduction(measure, projected=True) for text, measure in GEF_RULES.items()}

RULES: dict[str, Callable[[date | None], Any]] = {
    **{text: reduction(measure) for text, measure in GEF_RULES.items()},
    "organisations of kind company that reached stage identified or later": companies_reaching("identified"),
    "companies with a signed letter of interest": signed_letters("interest", distinct_companies=True),
    "companies that reached stage assessed or later": companies_reaching("assessed"),
    "companies that reached stage technical assistance or later": companies_reaching("technical_assistance"),
    "companies that reached stage feasibility study delivered or later": companies_reaching(
        "feasibility_delivered"
    ),
    "companies that reached stage adopting": companies_reaching("adopting"),
    "signed letters of intent": signed_letters("cooperation", distinct_companies=False),
    "non-company organisations with an active engagement": institutions,
    "events of type awareness": events_of_type,
    "distinct attendees of awareness events": awareness_people,
    "women / attendees with a recorded gender": women_share,
    "events flagged gender-specific": gender_specific,
    "contacts registered as qualified consultants": consultants,
}


@dataclass
class Figure:
    """One indicator's line: value, target, achievement, rating and light."""

    indicator: Indicator
    value: Decimal | None
    target: Decimal | None
    achieved: Decimal | None
    rating: int | None
    light: str | None
    projected: Decimal | None = None


def rating(achieved: Decimal | None) -> int | None:
    """Return the 6-point rating of an achievement percentage."""
    if achieved is None:
        return None
    return next((score for floor, score in RATINGS if achieved >= floor), 1)


def light(achieved: Decimal | None) -> str | None:
    """Return the traffic light of an achievement percentage."""
    if achieved is None:
        return None
    if achieved >= REACHED:
        return "reached"
    return "on_the_way" if achieved >= ON_THE_WAY else "not_on_track"


def compute(indicator: Indicator, as_of: date | None, target: Decimal | None = None) -> Figure:
    """Compute one indicator against a target (default: its end-of-project one); value None when unknown."""
    value, projected = raw_value(indicator, as_of)
    target = indicator.target if target is None else target
    achieved = percent(value, target) if value is not None and target else None
    return Figure(indicator, value, target, achieved, rating(achieved), light(achieved), projected)


def raw_value(indicator: Indicator, as_of: date | None) -> tuple[Decimal | None, Decimal | None]:
    """Return the indicator's value and, for the GEF indicators, the projection from expected results."""
    if indicator.custom:
        from crm.reports import custom_indicators  # here: it reads up_to from this module

        return custom_indicators.value(indicator, as_of), None
    text = " ".join(indicator.computed_from.split()).lower()
    rule = RULES.get(text)
    raw = rule(as_of) if rule else None
    value = None if raw is None else in_unit(text, Decimal(raw), indicator.unit)
    projection = PROJECTIONS.get(text)
    projected = in_unit(text, projection(as_of), indicator.unit) if projection else None
    return value, projected


def in_unit(text: str, value: Decimal, unit: str) -> Decimal:
    """Express u-POPs (stored in µg TEQ) in the indicator's unit; other values as they are."""
    return results.in_unit(value, unit) if GEF_RULES.get(text) == "upops" else value


def indicators(include_inactive: bool = False) -> list[Indicator]:
    """Return the active indicators (or all of them, for their administration) in their framework order."""
    query = select(Indicator).order_by(Indicator.position, Indicator.code)
    if not include_inactive:
        query = query.where(Indicator.active.is_(True))
    return list(db.session.scalars(query))


def compute_all(as_of: date | None, period: str | None = None) -> list[Figure]:
    """Compute every indicator as of a date, against the period's targets where set."""
    from crm.reports.custom_indicators import period_targets

    targets = period_targets(period)
    return [compute(indicator, as_of, targets.get(indicator.id)) for indicator in indicators()]


def plain(value: Decimal | None) -> str | None:
    """Return a number as text for JSON (exact, no float rounding)."""
    return (
        None
        if value is None
        else format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f")
    )


def as_reported(figure: Figure) -> dict[str, Any]:
    """Return the JSON-ready record of a figure, as stored when a period is frozen."""
    ind = figure.indicator
    return {
        "name_es": ind.name_es,
        "name_en": ind.name_en,
        "unit": ind.unit,
        "value": plain(figure.value),
        "target": plain(figure.target),
        "percent": plain(figure.achieved),
        "rating": figure.rating,
        "light": figure.light,
        "projected": plain(figure.projected),
    }

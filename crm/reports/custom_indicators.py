"""The values of the indicators administrators defined: catalogue measures counted in SQL, manual entries.

Every count runs as one aggregate query "as of" a date, like the framework's rules (crm.reports.indicators
.up_to: rows dated on or before the date, undated rows always). A manual indicator's value as of a date
comes from the entries of the periods that ended on or before it: the latest one (each entry states the
cumulative value), or, when the indicator says so, their sum. Targets per period are read here too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    STAGES,
    Attendance,
    Contact,
    District,
    Engagement,
    Event,
    Indicator,
    IndicatorEntry,
    IndicatorTarget,
    Letter,
    Materialisation,
    Organisation,
    StageTransition,
)
from crm.reports.filters import sector_clause
from crm.reports.indicators import up_to
from crm.reports.sql import POSITIONS, position
from crm.results import queries as results

ZERO = Decimal(0)


def stage_reached(params: Mapping[str, Any], as_of: date | None) -> Decimal:
    """Count organisations (or engagements) that moved to the stage or beyond, up to the date."""
    counted = Engagement.id if params.get("count_by") == "engagements" else Engagement.organisation_id
    query = (
        select(func.count(func.distinct(counted)))
        .join_from(StageTransition, Engagement, StageTransition.engagement_id == Engagement.id)
        .join(Organisation, Organisation.id == Engagement.organisation_id)
        .where(StageTransition.to_stage.in_(STAGES), *up_to(StageTransition.occurred_on, as_of))
        .where(position(StageTransition.to_stage) >= POSITIONS[params["stage"]])
    )
    return Decimal(db.session.scalar(query.where(*organisation_filters(params))) or 0)


def organisation_filters(params: Mapping[str, Any]) -> list[Any]:
    """Return the conditions on the organisation: kind, sector (with its divisions), region, district."""
    conditions = []
    if params.get("org_kind"):
        conditions.append(Organisation.kind == params["org_kind"])
    if params.get("sector"):
        conditions.append(sector_clause(Organisation.sector_id, params["sector"]))
    if params.get("region"):
        in_region = select(District.id).where(District.region == params["region"])
        conditions.append(Organisation.district_id.in_(in_region))
    if params.get("district"):
        conditions.append(Organisation.district_id == params["district"])
    return conditions


# The date that says when a letter reached each status (withdrawn letters carry none: always counted).
STATUS_DATES = {
    "requested": Letter.requested_on,
    "received": Letter.received_on,
    "signed": Letter.signed_on,
    "expired": Letter.expires_on,
}


def letters(params: Mapping[str, Any], as_of: date | None) -> Decimal:
    """Count the letters of a kind now in a status (or the distinct organisations that have one)."""
    distinct = params.get("letters_count") == "organisations"
    counted = func.count(func.distinct(Letter.organisation_id)) if distinct else func.count(Letter.id)
    status = params["letter_status"]
    dated = STATUS_DATES.get(status)
    query = select(counted).where(Letter.kind == params["letter_kind"], Letter.status == status)
    if dated is not None:
        query = query.where(*up_to(dated, as_of))
    return Decimal(db.session.scalar(query) or 0)


def attendance(params: Mapping[str, Any], as_of: date | None) -> Decimal:
    """Count the distinct people who attended events (of a type, of some genders) held up to the date."""
    query = (
        select(func.count(func.distinct(Attendance.contact_id)))
        .join(Event, Event.id == Attendance.event_id)
        .join(Contact, Contact.id == Attendance.contact_id)
        .where(*up_to(Event.held_on, as_of))
    )
    if params.get("event_type"):
        query = query.where(Event.type == params["event_type"])
    if params.get("genders"):
        query = query.where(Contact.gender.in_(params["genders"]))
    return Decimal(db.session.scalar(query) or 0)


def cofinance_letters(params: Mapping[str, Any], as_of: date | None) -> list[Any]:
    """Return the conditions keeping the signed co-finance letters of the parameters, up to the date."""
    conditions = [Letter.kind == "cofinance", Letter.status == "signed", *up_to(Letter.signed_on, as_of)]
    if params.get("cofinancier_type"):
        conditions.append(Letter.cofinancier_type == params["cofinancier_type"])
    if params.get("cofinance_type"):
        conditions.append(Letter.cofinance_type == params["cofinance_type"])
    return conditions


def cofinance(params: Mapping[str, Any], as_of: date | None) -> Decimal:
    """Add up the USD committed, materialised up to the date, or pending (committed - materialised)."""
    letters_kept = cofinance_letters(params, as_of)
    committed = select(func.coalesce(func.sum(Letter.amount_usd), 0)).where(*letters_kept)
    materialised = (
        select(func.coalesce(func.sum(Materialisation.amount_usd), 0))
        .join(Letter, Letter.id == Materialisation.letter_id)
        .where(*letters_kept, *up_to(Materialisation.occurred_on, as_of))
    )
    row = db.session.execute(select(committed.scalar_subquery(), materialised.scalar_subquery())).one()
    done, paid = Decimal(row[0] or 0), Decimal(row[1] or 0)
    return {"committed": done, "materialised": paid}.get(params["money"], done - paid)


def measured(params: Mapping[str, Any], as_of: date | None) -> Decimal:
    """Add up the results of a status (and basis) in one of the three quantities."""
    totals = results.totals(params.get("basis", "achieved"), (params["result_status"],), as_of)
    return totals.value(params["quantity"])


MEASURES: dict[str, Callable[[Mapping[str, Any], date | None], Decimal]] = {
    "stage_reached": stage_reached,
    "letters": letters,
    "attendance": attendance,
    "cofinance": cofinance,
    "results": measured,
}


def last_ended_period(as_of: date) -> str:
    """Return the last half-year period that ends on or before the date."""
    if as_of >= date(as_of.year, 12, 31):
        return f"{as_of.year}-S2"
    return f"{as_of.year}-S1" if as_of >= date(as_of.year, 6, 30) else f"{as_of.year - 1}-S2"


def manual(indicator: Indicator, as_of: date | None) -> Decimal | None:
    """Return the latest entry (or the sum of the entries) of the periods ended by the date."""
    kept = [IndicatorEntry.indicator_id == indicator.id]
    if as_of is not None:
        kept.append(IndicatorEntry.period <= last_ended_period(as_of))  # YEAR-S1 < YEAR-S2 < next YEAR
    if indicator.aggregation == "sum":
        return db.session.scalar(select(func.sum(IndicatorEntry.value)).where(*kept))
    latest = select(IndicatorEntry.value).where(*kept).order_by(IndicatorEntry.period.desc()).limit(1)
    return db.session.scalar(latest)


def value(indicator: Indicator, as_of: date | None) -> Decimal | None:
    """Return a custom indicator's value as of a date (None: nothing to show yet, or an unknown measure)."""
    if indicator.kind == "manual":
        found = manual(indicator, as_of)
        return None if found is None else Decimal(found)
    count = MEASURES.get(indicator.measure or "")
    if count is None:
        return None
    found = count(indicator.params or {}, as_of)
    if indicator.measure == "results" and (indicator.params or {}).get("quantity") == "upops":
        return results.in_unit(found, indicator.unit)
    return found


def period_targets(period: str | None) -> dict[int, Decimal]:
    """Return {indicator id: target} of the targets set for a period."""
    if not period:
        return {}
    query = select(IndicatorTarget.indicator_id, IndicatorTarget.target).where(
        IndicatorTarget.period == period
    )
    return {indicator_id: target for indicator_id, target in db.session.execute(query)}

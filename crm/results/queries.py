"""Totals of measured results, in SQL, kept apart by basis and status (never silently added together).

tCO2eq comes from the stored lines (each computed with its own factor version); energy saved is MJ
(electricity MWh × 3,600; fuels GJ × 1,000); u-POPs are stored in µg TEQ per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select

from crm.extensions import db
from crm.models.results import MJ_PER_UNIT, Carrier, MeasureResult, ResultLine, ResultStatus

ZERO = Decimal(0)
# u-POPs units a target may be expressed in, as multiples of the stored µg TEQ.
TEQ_UNITS = {
    "ng": Decimal("0.001"),
    "µg": Decimal(1),
    "ug": Decimal(1),
    "mg": Decimal(1000),
    "g": Decimal(10**6),
}


@dataclass
class Totals:
    """What a set of result lines adds up to."""

    tco2e: Decimal = ZERO
    upops_ug: Decimal = ZERO
    energy_mj: Decimal = ZERO

    def value(self, measure: str) -> Decimal:
        """Return one of the three measures by name."""
        return {"tco2e": self.tco2e, "upops": self.upops_ug, "energy": self.energy_mj}[measure]


def totals(basis: str, statuses: tuple[str, ...] | None = None, as_of: date | None = None, **where) -> Totals:
    """Add up the lines of one basis (expected or achieved), for some statuses, up to a date."""
    query = (
        select(ResultLine.carrier, func.sum(ResultLine.amount), func.sum(ResultLine.tco2e))
        .join(MeasureResult, MeasureResult.id == ResultLine.result_id)
        .where(ResultLine.basis == basis)
        .group_by(ResultLine.carrier)
    )
    if statuses is not None:
        query = query.where(MeasureResult.status.in_(statuses))
    if as_of is not None:
        query = query.where(or_(MeasureResult.occurred_on.is_(None), MeasureResult.occurred_on <= as_of))
    if "organisation_id" in where:
        query = query.where(MeasureResult.organisation_id == where["organisation_id"])
    result = Totals()
    for carrier, amount, tco2e in db.session.execute(query):
        amount, tco2e = Decimal(amount or 0), Decimal(tco2e or 0)
        result.tco2e += tco2e
        if carrier == Carrier.UPOPS:
            result.upops_ug += amount
        result.energy_mj += amount * MJ_PER_UNIT.get(carrier, ZERO)
    return result


def by_status(basis: str, as_of: date | None = None, **where) -> dict[str, Totals]:
    """Return the totals of one basis for each status separately."""
    return {status.value: totals(basis, (status.value,), as_of, **where) for status in ResultStatus}


def verified(as_of: date | None = None) -> Totals:
    """Return the achieved reductions of verified results: what the indicators count."""
    return totals("achieved", (ResultStatus.VERIFIED.value,), as_of)


def projected(as_of: date | None = None) -> Totals:
    """Return the expected reductions of every adopted measure: the projection beside the indicators."""
    return totals("expected", None, as_of)


def teq_factor(unit: str | None) -> Decimal:
    """Return how many stored µg make one of the unit ('µg TEQ/yr', 'g TEQ', ...); µg when unknown."""
    prefix = (unit or "").strip().split(" ")[0].lower()
    return TEQ_UNITS.get(prefix, Decimal(1))


def in_unit(upops_ug: Decimal, unit: str | None) -> Decimal:
    """Express a stored µg TEQ amount in a target's unit."""
    return upops_ug / teq_factor(unit)

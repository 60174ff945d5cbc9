"""Measured results: baselines, adopted measures with their reductions, and tCO2eq from versioned factors.

Every energy quantity is turned into tCO2eq with the emission factor version that was current when the
line was first recorded; the line keeps that version (a later factor version changes new lines only).
Quantities are Decimals throughout; tCO2eq is rounded half-up to 4 decimals, as the column stores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from crm import clock, documents
from crm.errors import UserError
from crm.extensions import db
from crm.models import Organisation, Programme
from crm.models.organisation import OrgKind
from crm.models.results import (
    CARRIERS,
    ENERGY_CARRIERS,
    Baseline,
    Basis,
    Carrier,
    EmissionFactor,
    Measure,
    MeasureResult,
    ResultLine,
    ResultStatus,
)
from crm.permissions import can
from crm.privacy.trail import record_read

Q4 = Decimal("0.0001")
READ_WHAT = "emission_results"


def line_tco2e(carrier: str, amount: Decimal, factor: EmissionFactor | None) -> Decimal:
    """Return the tCO2eq of one quantity: energy × factor, process emissions as they are, u-POPs none."""
    if carrier in ENERGY_CARRIERS:
        if factor is None:
            raise UserError(_("No emission factor is recorded for %(carrier)s.", carrier=carrier))
        return (amount * factor.value).quantize(Q4, rounding=ROUND_HALF_UP)
    if carrier == Carrier.PROCESS:
        return amount.quantize(Q4, rounding=ROUND_HALF_UP)
    return Decimal(0)


def current_factors() -> dict[str, EmissionFactor]:
    """Return the newest version of each carrier's emission factor."""
    newest = (
        select(EmissionFactor.carrier, func.max(EmissionFactor.version).label("version"))
        .group_by(EmissionFactor.carrier)
        .subquery()
    )
    query = select(EmissionFactor).join(
        newest,
        (newest.c.carrier == EmissionFactor.carrier) & (newest.c.version == EmissionFactor.version),
    )
    return {factor.carrier: factor for factor in db.session.scalars(query)}


def factor_history() -> list[EmissionFactor]:
    """Return every factor version, by carrier then newest first."""
    query = select(EmissionFactor).order_by(EmissionFactor.carrier, EmissionFactor.version.desc())
    return list(db.session.scalars(query))


def add_factor_version(user: Any, carrier: str, value: Decimal, source: str, year: int) -> EmissionFactor:
    """Record a new version of a carrier's factor; results computed before keep theirs."""
    if carrier not in ENERGY_CARRIERS:
        raise UserError(_("Choose an energy carrier."), field="carrier")
    if value <= 0:
        raise UserError(_("The factor must be greater than zero."), field="value")
    previous = current_factors().get(carrier)
    factor = EmissionFactor(
        carrier=carrier,
        version=(previous.version + 1) if previous else 1,
        value=value,
        unit=previous.unit if previous else "tCO2eq",
        source=source.strip(),
        year=year,
        created_by_id=user.id,
    )
    db.session.add(factor)
    db.session.flush()
    return factor


# --- results ----------------------------------------------------------------------------------------------


@dataclass
class ResultValues:
    """A result as submitted: the measure, its status and date, and amounts by basis and carrier."""

    programme_id: int
    measure_id: int
    status: str
    occurred_on: date
    notes: str | None = None
    expected: dict[str, Decimal] = field(default_factory=dict)
    achieved: dict[str, Decimal] = field(default_factory=dict)
    evidence: FileStorage | None = None


def set_lines(result: MeasureResult, basis: str, amounts: dict[str, Decimal], factors: dict) -> None:
    """Bring one basis's lines in line with the amounts; an existing line keeps its factor version."""
    existing = {line.carrier: line for line in result.lines if line.basis == basis}
    for carrier in CARRIERS:
        line, amount = existing.get(carrier), amounts.get(carrier)
        if amount is None:
            if line is not None:
                result.lines.remove(line)
            continue
        if line is None:
            line = ResultLine(basis=basis, carrier=carrier, factor=factors.get(carrier))
            result.lines.append(line)
        line.amount = amount
        line.tco2e = line_tco2e(carrier, amount, line.factor if carrier in ENERGY_CARRIERS else None)


def check_values(user: Any, result: MeasureResult | None, values: ResultValues) -> None:
    """Refuse a result without any amount, or verified without the right or the evidence."""
    if not values.expected and not values.achieved:
        raise UserError(_("Enter at least one expected or achieved reduction."))
    if values.status not in tuple(ResultStatus):
        raise UserError(_("Choose a status."), field="status")
    if values.status == ResultStatus.VERIFIED:
        if not can(user, "result.verify"):
            raise UserError(_("You may not mark results as verified."), field="status")
        has_evidence = documents.has_file(values.evidence) or (result is not None and result.evidence_id)
        if not has_evidence:
            raise UserError(_("A verified result needs its evidence (a document)."), field="evidence")
        if not values.achieved:
            raise UserError(_("A verified result needs the achieved reduction."), field="status")


def save_result(user: Any, org: Organisation, result: MeasureResult | None, values: ResultValues) -> Any:
    """Create or change a result of the organisation, computing its tCO2eq; return it."""
    check_values(user, result, values)
    if db.session.get(Programme, values.programme_id) is None:
        raise UserError(_("Choose a programme."), field="programme_id")
    if db.session.get(Measure, values.measure_id) is None:
        raise UserError(_("Choose a measure."), field="measure_id")
    if result is None:
        result = MeasureResult(organisation_id=org.id, lines=[])
        db.session.add(result)
    was_verified = result.status == ResultStatus.VERIFIED
    result.programme_id, result.measure_id = values.programme_id, values.measure_id
    result.status, result.occurred_on, result.notes = values.status, values.occurred_on, values.notes
    if documents.has_file(values.evidence):
        result.evidence_id = documents.store_upload(values.evidence, user.id).id
    if values.status == ResultStatus.VERIFIED and not was_verified:
        result.verified_by_id, result.verified_on = user.id, clock.today()
    elif values.status != ResultStatus.VERIFIED:
        result.verified_by_id, result.verified_on = None, None
    factors = current_factors()
    set_lines(result, Basis.EXPECTED, values.expected, factors)
    set_lines(result, Basis.ACHIEVED, values.achieved, factors)
    db.session.flush()
    return result


def delete_result(result: MeasureResult) -> None:
    """Delete a result and its lines (the evidence document stays, as letters' scans do)."""
    db.session.delete(result)
    db.session.flush()


def org_results(org_id: int) -> list[MeasureResult]:
    """Return the organisation's results, newest first."""
    query = (
        select(MeasureResult)
        .where(MeasureResult.organisation_id == org_id)
        .order_by(MeasureResult.occurred_on.desc(), MeasureResult.id.desc())
    )
    return list(db.session.scalars(query).unique())


def result_count(org_id: int) -> int:
    """Count the organisation's results."""
    query = select(func.count()).select_from(MeasureResult).where(MeasureResult.organisation_id == org_id)
    return db.session.scalar(query) or 0


# --- baselines --------------------------------------------------------------------------------------------


def org_baselines(org_id: int) -> list[Baseline]:
    """Return the organisation's baselines, one per programme."""
    query = select(Baseline).where(Baseline.organisation_id == org_id).order_by(Baseline.programme_id)
    return list(db.session.scalars(query))


def save_baseline(org: Organisation, programme_id: int, year: int, amounts: dict[str, Any], notes: Any):
    """Create or replace the organisation's baseline for a programme; return it."""
    if org.kind != OrgKind.COMPANY:
        raise UserError(_("Only companies have a baseline."))
    if db.session.get(Programme, programme_id) is None:
        raise UserError(_("Choose a programme."), field="programme_id")
    query = select(Baseline).where(Baseline.organisation_id == org.id, Baseline.programme_id == programme_id)
    baseline = db.session.scalars(query).first() or Baseline(
        organisation_id=org.id, programme_id=programme_id
    )
    baseline.year, baseline.notes = year, notes
    for carrier in CARRIERS:
        setattr(baseline, carrier, amounts.get(carrier))
    db.session.add(baseline)
    db.session.flush()
    return baseline


# --- the trail of reads -----------------------------------------------------------------------------------


def log_reads(org_ids: list[int], what: str = READ_WHAT, fields: tuple[str, ...] = ("reductions",)) -> None:
    """Record figures shown without loading their rows (aggregates per company) in the read trail."""
    for org_id in dict.fromkeys(org_ids):
        record_read(org_id, what, fields)


# --- the measures list ------------------------------------------------------------------------------------


def save_measure(measure: Measure | None, code: str, name_es: str, name_en: str, active: bool) -> Measure:
    """Create or change a measure of the reference list (codes are unique)."""
    code = code.strip().lower()
    clash = db.session.scalars(select(Measure).where(Measure.code == code)).first()
    if clash is not None and clash is not measure:
        raise UserError(_("Another measure already has this code."), field="code")
    measure = measure or Measure()
    measure.code, measure.name_es, measure.name_en = code, name_es.strip(), name_en.strip()
    measure.active = active
    db.session.add(measure)
    db.session.flush()
    return measure


def measure_rows() -> list[tuple[Measure, int]]:
    """Return every measure with how many results name it."""
    used = func.count(MeasureResult.id)
    query = (
        select(Measure, used)
        .outerjoin(MeasureResult, MeasureResult.measure_id == Measure.id)
        .group_by(Measure.id)
        .order_by(Measure.active.desc(), Measure.name_es)
    )
    return [(measure, int(count)) for measure, count in db.session.execute(query)]

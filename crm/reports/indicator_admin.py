"""Changes to the indicators: define, edit, deactivate or delete them, targets per period, manual entries.

Services flush, never commit; they raise UserError with the field it concerns. Every change is recorded
in the change history (Indicator, IndicatorTarget and IndicatorEntry are audited).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from crm import documents
from crm.errors import UserError
from crm.extensions import db
from crm.labels import LABELS
from crm.models import AGGREGATIONS, FrozenPeriod, Indicator, IndicatorEntry, IndicatorTarget
from crm.reports import catalogue
from crm.reports.services import period_bounds

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$")
MAX_VALUE = Decimal("999999999999.99")  # Numeric(14, 2)
CUSTOM_KINDS = ("computed", "manual")


@dataclass
class IndicatorValues:
    """An indicator as submitted: what describes it and, for a computed one, its measure's parameters."""

    code: str
    name_es: str
    name_en: str
    unit: str
    position: int | None = None
    target: Decimal | None = None
    kind: str = "computed"
    measure: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    aggregation: str | None = None


def amount(raw: Any, name: str) -> Decimal | None:
    """Return a number between 0 and the largest storable, rounded to cents (None when empty)."""
    if raw is None or raw == "":
        return None
    try:
        number = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise UserError(_("Enter a number, for example 12 or 3.5."), name) from None
    if not number.is_finite() or not 0 <= number <= MAX_VALUE:
        raise UserError(_("Enter a number between 0 and 999,999,999,999.99."), name)
    return number.quantize(Decimal("0.01"))


def check_text(values: IndicatorValues) -> None:
    """Refuse empty names and a unit outside the list."""
    problems = {}
    for name in ("name_es", "name_en"):
        if not (getattr(values, name) or "").strip():
            problems[name] = _("Write the indicator's name.")
    if values.unit not in LABELS["indicator_unit"]:
        problems["unit"] = _("Choose a unit from the list.")
    if problems:
        raise UserError(problems=problems)


def check_code(code: str) -> str:
    """Return a well-formed code nobody uses yet (UserError otherwise)."""
    code = (code or "").strip()
    if not CODE.match(code):
        raise UserError(_("Write a code of up to 20 letters, digits, dots or dashes, e.g. 3.5.1."), "code")
    if db.session.scalar(select(exists().where(func.lower(Indicator.code) == code.lower()))):
        raise UserError(_("The code %(code)s is taken by another indicator.", code=code), "code")
    return code


def describe_fields(indicator: Indicator, values: IndicatorValues) -> None:
    """Copy the names, unit, position and end-of-project target onto the indicator."""
    check_text(values)
    indicator.name_es, indicator.name_en = values.name_es.strip(), values.name_en.strip()
    indicator.unit = values.unit
    if values.position is not None:
        indicator.position = values.position
    indicator.target = amount(values.target, "target")


def how_counted(indicator: Indicator, values: IndicatorValues) -> None:
    """Set a computed indicator's measure and parameters, or a manual one's aggregation."""
    if indicator.kind == "computed":
        indicator.params = catalogue.clean(indicator.measure, values.params)
        indicator.computed_from = catalogue.describe(indicator.measure, indicator.params)
    elif values.aggregation not in AGGREGATIONS:
        raise UserError(_("Choose how the entries add up."), "aggregation")
    else:
        indicator.aggregation = values.aggregation


def next_position() -> int:
    """Return a position after every indicator's."""
    return (db.session.scalar(select(func.max(Indicator.position))) or 0) + 1


def create_indicator(user: Any, values: IndicatorValues) -> Indicator:
    """Add an indicator of the catalogue or a manual one; return it (flushed)."""
    if values.kind not in CUSTOM_KINDS:
        raise UserError(_("Choose whether the indicator is computed or entered by hand."), "kind")
    code = check_code(values.code)
    measure = catalogue.measure_of(values.measure).key if values.kind == "computed" else None
    indicator = Indicator(code=code, kind=values.kind, measure=measure, computed_from="", active=True)
    indicator.created_by_id = user.id
    describe_fields(indicator, values)
    how_counted(indicator, values)
    if values.position is None:
        indicator.position = next_position()
    db.session.add(indicator)
    flush_or_taken(_("The code %(code)s is taken by another indicator.", code=code), "code")
    return indicator


def update_indicator(indicator: Indicator, values: IndicatorValues) -> bool:
    """Change an indicator's names, unit, position and target (and a custom one's parameters)."""
    describe_fields(indicator, values)
    if indicator.custom:
        how_counted(indicator, values)
    changed = bool(db.session.is_modified(indicator))
    db.session.flush()
    return changed


def flush_or_taken(message: str, name: str) -> None:
    """Flush; a unique key taken meanwhile by someone else becomes a message."""
    try:
        db.session.flush()
    except IntegrityError:
        raise UserError(message, name) from None


def frozen_in(indicator: Indicator) -> list[str]:
    """Return the frozen periods that report the indicator (their figures name it by code)."""
    rows = db.session.execute(select(FrozenPeriod.period, FrozenPeriod.figures).order_by(FrozenPeriod.period))
    return [period for period, figures in rows if indicator.code in (figures or {})]


def delete_indicator(indicator: Indicator) -> None:
    """Delete an indicator an administrator added, if no frozen period reports it."""
    if not indicator.custom:
        raise UserError(_("The framework's own indicators cannot be deleted."))
    periods = frozen_in(indicator)
    if periods:
        message = _(
            "%(code)s is reported in the frozen periods %(periods)s: deactivate it instead.",
            code=indicator.code,
            periods=", ".join(periods),
        )
        raise UserError(message)
    for row in [*entry_rows(indicator), *period_target_rows(indicator)]:  # one by one: the history keeps them
        db.session.delete(row)
    db.session.delete(indicator)
    db.session.flush()


def set_active(indicator: Indicator, active: bool) -> None:
    """Show or hide an indicator an administrator added (frozen periods keep what they reported)."""
    if not indicator.custom:
        raise UserError(_("The framework's own indicators stay active."))
    indicator.active = active
    db.session.flush()


# --- targets per period -----------------------------------------------------------------------------


def period_text(period: str) -> str:
    """Return a period written as YEAR-S1/S2 (UserError naming the period field otherwise)."""
    period = (period or "").strip().upper()
    period_bounds(period)
    return period


def set_period_target(indicator: Indicator, period: str, target: Any) -> IndicatorTarget:
    """Set (or change) the indicator's target for a period."""
    period = period_text(period)
    value = amount(target, "target")
    if value is None:
        raise UserError(_("Enter the target of the period."), "target")
    row = db.session.scalars(
        select(IndicatorTarget).where(
            IndicatorTarget.indicator_id == indicator.id, IndicatorTarget.period == period
        )
    ).first()
    if row is None:
        row = IndicatorTarget(indicator_id=indicator.id, period=period, target=value)
        db.session.add(row)
    row.target = value
    flush_or_taken(_("Someone set this period's target at the same moment; try again."), "period")
    return row


def period_target_rows(indicator: Indicator) -> list[IndicatorTarget]:
    """Return the indicator's targets per period, newest period first."""
    query = select(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator.id)
    return list(db.session.scalars(query.order_by(IndicatorTarget.period.desc())))


def delete_period_target(row: IndicatorTarget) -> None:
    """Remove a period's target (the end-of-project target applies again)."""
    db.session.delete(row)
    db.session.flush()


# --- manual entries ---------------------------------------------------------------------------------


@dataclass
class EntryValues:
    """A manual value as submitted."""

    period: str
    value: Any
    note: str | None = None
    evidence: FileStorage | None = None


def check_entry(indicator: Indicator, values: EntryValues, today: date) -> tuple[str, Decimal]:
    """Return the entry's period and value, refusing other kinds, periods not begun and bad numbers."""
    if indicator.kind != "manual":
        raise UserError(_("Only indicators entered by hand take values per period."))
    period = period_text(values.period)
    if period_bounds(period)[0] > today:
        raise UserError(_("The period %(period)s has not begun yet.", period=period), "period")
    value = amount(values.value, "value")
    if value is None:
        raise UserError(_("Enter the value."), "value")
    return period, value


def save_entry(
    user: Any, indicator: Indicator, values: EntryValues, today: date
) -> tuple[IndicatorEntry, bool]:
    """Record a period's value (replacing the one entered before); return it and whether it is new."""
    period, value = check_entry(indicator, values, today)
    evidence_id = store_evidence(values.evidence, user.id) if documents.has_file(values.evidence) else None
    entry = db.session.scalars(
        select(IndicatorEntry).where(
            IndicatorEntry.indicator_id == indicator.id, IndicatorEntry.period == period
        )
    ).first()
    created = entry is None
    if entry is None:
        entry = IndicatorEntry(indicator_id=indicator.id, period=period, value=value)
        db.session.add(entry)
    entry.value, entry.note, entry.entered_by_id = value, (values.note or "").strip() or None, user.id
    entry.evidence_id = evidence_id or entry.evidence_id  # a correction without a file keeps the evidence
    flush_or_taken(_("Someone entered this period's value at the same moment; try again."), "period")
    return entry, created


def store_evidence(upload: FileStorage, user_id: int) -> int:
    """Store an evidence file (checked like every upload); a rolled-back save removes it again."""
    document = documents.store_upload(upload, user_id)
    name = document.storage_name
    documents.on_outcome(lambda: None, lambda: documents.remove_file(name))
    return document.id


def entry_rows(indicator: Indicator) -> list[IndicatorEntry]:
    """Return a manual indicator's entries, newest period first."""
    query = select(IndicatorEntry).where(IndicatorEntry.indicator_id == indicator.id)
    return list(db.session.scalars(query.order_by(IndicatorEntry.period.desc())))


def delete_entry(entry: IndicatorEntry) -> None:
    """Delete a period's value (its evidence document stays, as letters' scans do)."""
    db.session.delete(entry)
    db.session.flush()

"""The results register as CSV or XLSX for the technical team: every measure result the filters find.

One row per result, its status in a column (statuses are never added together), each carrier's expected
and achieved amounts apart, tCO2eq as each line stored it, u-POPs in the GEF target's unit, the factor
versions used and the evidence document's name (never its contents). Rows are loaded inside the view, so
each company's results read is written to the read trail (crm/privacy/trail.py) with this endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from crm.exports.download import FORMATS
from crm.exports.views import download
from crm.extensions import db
from crm.labels import label
from crm.models import Measure, MeasureResult, Organisation, Programme
from crm.models.organisation import OrgKind
from crm.models.results import CARRIER_UNITS, CARRIERS, RESULT_STATUSES, Basis, ResultLine
from crm.permissions import require, visible_organisations
from crm.results import gap, queries
from crm.results.blueprint import bp
from crm.web import locale, to_id

BATCH = 1000
UPOPS_RULE = "u-pops eliminated by verified results"


@dataclass
class Filters:
    """The register's filters (ids and a status; odd values were dropped)."""

    organisation: int | None = None
    programme: int | None = None
    measure: int | None = None
    status: str | None = None


def read_filters() -> Filters:
    """Read the filters from the query string, ignoring odd values."""
    args = request.args
    status = args.get("status")
    return Filters(
        to_id(args.get("organisation")),
        to_id(args.get("programme")),
        to_id(args.get("measure")),
        status if status in RESULT_STATUSES else None,
    )


def register_query(user: Any, f: Filters) -> Select:
    """Select (result, company name, RUC) of the companies the user may see, by company then date."""
    companies = visible_organisations(user).where(Organisation.kind == OrgKind.COMPANY)
    query = (
        select(MeasureResult, Organisation.legal_name, Organisation.ruc)
        .join(Organisation, Organisation.id == MeasureResult.organisation_id)
        .where(MeasureResult.organisation_id.in_(companies.with_only_columns(Organisation.id)))
        .order_by(Organisation.legal_name, MeasureResult.occurred_on, MeasureResult.id)
    )
    wanted = {
        MeasureResult.organisation_id: f.organisation,
        MeasureResult.programme_id: f.programme,
        MeasureResult.measure_id: f.measure,
        MeasureResult.status: f.status,
    }
    for column, value in wanted.items():
        if value is not None:
            query = query.where(column == value)
    return query


def upops_unit() -> str:
    """Return the unit of the GEF u-POPs target (µg TEQ when no indicator names it)."""
    for indicator in gap.gef_indicators():
        if " ".join(indicator.computed_from.split()).lower() == UPOPS_RULE:
            return indicator.unit
    return CARRIER_UNITS["upops"]


def headers(teq_unit: str) -> list[str]:
    """Return the column names: the result, tCO2eq by basis, then each carrier's amount by basis."""
    names = [_("Id"), _("Company"), _("RUC"), _("Programme"), _("Measure"), _("Status"), _("Date"),
             _("Expected reduction (tCO2eq/yr)"), _("Achieved reduction (tCO2eq/yr)")]  # fmt: skip
    for carrier in CARRIERS:
        unit = teq_unit if carrier == "upops" else _("%(unit)s/yr", unit=CARRIER_UNITS[carrier])
        for basis in Basis:
            names.append(_("%(basis)s: %(carrier)s (%(unit)s)", basis=label("result_basis", basis),
                           carrier=label("carrier", carrier), unit=unit))  # fmt: skip
    return names + [_("Emission factors used"), _("Verified by"), _("Verified on"), _("Evidence")]


def amounts(lines: list[ResultLine], teq_unit: str) -> list[Decimal | None]:
    """Return each carrier's expected and achieved amount (empty when not recorded), u-POPs converted."""
    by_key = {(line.carrier, line.basis): line.amount for line in lines}
    cells = []
    for carrier in CARRIERS:
        for basis in Basis:
            value = by_key.get((carrier, basis.value))
            if value is not None and carrier == "upops":
                value = queries.in_unit(Decimal(value), teq_unit)
            cells.append(value)
    return cells


def tco2e(lines: list[ResultLine], basis: str) -> Decimal | None:
    """Return one basis's tCO2eq of a result (the sum of its carriers' lines), empty without lines."""
    values = [line.tco2e for line in lines if line.basis == basis]
    return sum(values, Decimal(0)) if values else None


def factors_used(lines: list[ResultLine]) -> str:
    """Name the factor versions the result's lines were computed with."""
    used = {line.factor.id: line.factor for line in lines if line.factor is not None}
    return "; ".join(f"{label('carrier', f.carrier)} v{f.version} ({f.year})" for f in used.values())


def row(result: MeasureResult, company: str, ruc: str | None, teq_unit: str) -> list[Any]:
    """Return one result as export cells."""
    lang, lines = locale(), list(result.lines)
    cells = [result.id, company, ruc, result.programme.name(lang), result.measure.name(lang),
             label("result_status", result.status), result.occurred_on,
             tco2e(lines, Basis.EXPECTED), tco2e(lines, Basis.ACHIEVED)]  # fmt: skip
    cells += amounts(lines, teq_unit)
    verifier = result.verified_by.name if result.verified_by else None
    evidence = result.evidence.original_name if result.evidence else None
    return cells + [factors_used(lines), verifier, result.verified_on, evidence]


def rows(f: Filters, teq_unit: str) -> Iterator[list[Any]]:
    """Yield the results the filters find (loading each is recorded as its company's results read)."""
    query = register_query(current_user, f).options(
        selectinload(MeasureResult.lines),
        selectinload(MeasureResult.evidence),
        selectinload(MeasureResult.verified_by),
    )
    for result, company, ruc in db.session.execute(query.execution_options(yield_per=BATCH)):
        yield row(result, company, ruc, teq_unit)


def filter_lines(f: Filters) -> list[tuple[str, str]]:
    """Return the filters applied, in words, for the About sheet."""
    lang, lines = locale(), []
    org = db.session.get(Organisation, f.organisation) if f.organisation else None
    if org is not None:
        lines.append((_("Company"), org.legal_name))
    chosen_records = ((_("Programme"), Programme, f.programme), (_("Measure"), Measure, f.measure))
    for title, model, chosen in chosen_records:
        record = db.session.get(model, chosen) if chosen else None
        if record is not None:
            lines.append((title, record.name(lang)))
    if f.status:
        lines.append((_("Status"), label("result_status", f.status)))
    return lines


@bp.get("/export.<fmt>")
@login_required
@require("result.view")
def export(fmt: str):
    """Export the results register with the filters, as CSV (UTF-8, BOM) or XLSX."""
    if fmt not in FORMATS:
        abort(404)
    f, teq_unit = read_filters(), upops_unit()
    return download(_("results"), fmt, (headers(teq_unit), rows(f, teq_unit)), lambda: filter_lines(f))

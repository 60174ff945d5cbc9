"""Demo results: a baseline and one to three adopted measures for companies in technical assistance or beyond.

The baseline comes from the company's emission profile (natural gas converted at 0.0339 GJ/m³, the
1.9 kg CO2/m³ the demo profiles assume over IPCC's 56.1 kg CO2/GJ). Each measure expects a share of
the baseline; the achieved share and the status (estimated, reported, verified with a verification
report) follow the company's place in the list, so the figures are the same on every run. Companies
that already have results are left alone, so a second run adds nothing.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import exists, select
from werkzeug.datastructures import FileStorage

from crm.extensions import db
from crm.models import Engagement, Measure, MeasureResult, Organisation, User
from crm.models.pipeline import Stage
from crm.results import services
from crm.results.services import ResultValues

GJ_PER_M3 = Decimal("0.0339")
STAGES_WITH_RESULTS = (Stage.TECHNICAL_ASSISTANCE, Stage.FEASIBILITY_DELIVERED, Stage.ADOPTING)
# (measure, electricity share, natural gas share, u-POPs µg TEQ/yr for emitters) expected of each measure.
MEASURES = (
    ("furnace_replacement", Decimal("0.02"), Decimal("0.18"), Decimal(40000)),
    ("lighting", Decimal("0.06"), Decimal(0), Decimal(0)),
    ("boiler_tuning", Decimal(0), Decimal("0.08"), Decimal(15000)),
    ("motors", Decimal("0.09"), Decimal(0), Decimal(0)),
    ("heat_recovery", Decimal(0), Decimal("0.12"), Decimal(0)),
)
STATUSES = ("verified", "reported", "estimated", "verified", "estimated")
ACHIEVED = {"verified": Decimal("0.9"), "reported": Decimal("0.8"), "estimated": Decimal("1")}
PDF = b"%PDF-1.4\n% Demo: informe de verificacion de resultados\n%%EOF\n"


def companies() -> list[tuple[Organisation, int]]:
    """Return (company, programme id) for each company in technical assistance or beyond, without results."""
    has_results = exists().where(MeasureResult.organisation_id == Organisation.id)
    query = (
        select(Organisation, Engagement.programme_id)
        .join(Engagement, Engagement.organisation_id == Organisation.id)
        .where(Engagement.stage.in_(STAGES_WITH_RESULTS), ~has_results)
        .order_by(Organisation.id)
    )
    seen: dict[int, tuple[Organisation, int]] = {}
    for org, programme_id in db.session.execute(query).unique():
        seen.setdefault(org.id, (org, programme_id))
    return list(seen.values())


def amounts(org: Organisation, share: tuple, factor: Decimal) -> dict[str, Decimal]:
    """Return the reductions of one measure at a company, scaled by factor (1 = as expected)."""
    profile = org.profile
    electricity = (profile.electricity_mwh_year or 0) if profile else Decimal(500)
    gas = ((profile.natural_gas_m3_year or 0) * GJ_PER_M3) if profile else Decimal(0)
    values = {
        "electricity": (Decimal(electricity) * share[1] * factor).quantize(Decimal("0.01")),
        "natural_gas": (Decimal(gas) * share[2] * factor).quantize(Decimal("0.01")),
        "upops": (share[3] * factor).quantize(Decimal(1)) if profile and profile.emits_upops else Decimal(0),
    }
    return {carrier: value for carrier, value in values.items() if value > 0}


def record(user: User, org: Organisation, programme_id: int, index: int, today: date) -> None:
    """Record the company's baseline and its measures."""
    profile = org.profile
    electricity = profile.electricity_mwh_year if profile else Decimal(500)
    gas = (profile.natural_gas_m3_year or 0) * GJ_PER_M3 if profile else None
    baseline = {"electricity": electricity, "natural_gas": gas and Decimal(gas).quantize(Decimal("0.01"))}
    services.save_baseline(org, programme_id, today.year - 2, baseline, None)
    measures = {m.code: m for m in db.session.scalars(select(Measure))}
    for n in range(1 + index % 3):
        emitter = bool(profile and profile.emits_upops) and n == 0  # u-POPs sources: the furnace first
        share = MEASURES[0] if emitter else MEASURES[(index + n) % len(MEASURES)]
        status = STATUSES[(index + n) % len(STATUSES)]
        expected = amounts(org, share, Decimal(1)) or {"electricity": Decimal(10)}
        achieved = amounts(org, share, ACHIEVED[status]) or {"electricity": Decimal(9)}
        evidence = (
            FileStorage(io.BytesIO(PDF), filename="informe-verificacion.pdf")
            if status == "verified"
            else None
        )
        day = today - timedelta(days=30 * (index % 12 + 1) + n)
        values = ResultValues(
            programme_id, measures[share[0]].id, status, day, None, expected, achieved, evidence
        )
        services.save_result(user, org, None, values)


def seed_results(user: User, today: date) -> int:
    """Add demo results for the companies that have none yet; return how many companies got some."""
    targets = companies()
    for index, (org, programme_id) in enumerate(targets):
        record(user, org, programme_id, index, today)
    db.session.flush()
    return len(targets)

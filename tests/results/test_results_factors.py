"""tCO2eq from versioned emission factors, worked out by hand.

Seeded factors (migration 0018): electricity 0.2 tCO2eq/MWh (v1), natural gas 0.0561545 tCO2eq/GJ (v1,
IPCC 2006: 56.1 kg CO2 + 1 g CH4 × 28 + 0.1 g N2O × 265 per GJ).

A furnace replacement achieving 1,250.5 MWh of electricity, 3,000 GJ of natural gas and 12.25 t of
process emissions a year:  1,250.5 × 0.2 = 250.1;  3,000 × 0.0561545 = 168.4635;  + 12.25
→ 430.8135 tCO2eq/yr; energy saved 1,250.5 × 3,600 + 3,000 × 1,000 = 7,501,800 MJ/yr.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from crm.extensions import db
from crm.models import MeasureResult
from crm.results import queries, services
from crm.results.services import ResultValues

D = Decimal


def achieved_tco2e(result_id: int) -> Decimal:
    """Return a result's achieved tCO2eq as stored."""
    result = db.session.get(MeasureResult, result_id)
    return sum((line.tco2e for line in result.lines if line.basis == "achieved"), D(0))


def test_seeded_factors_have_their_source_and_year(app):
    factors = services.current_factors()
    assert set(factors) == {"electricity", "natural_gas", "diesel", "lpg", "other_fuel"}
    assert factors["natural_gas"].value == D("0.0561545") and factors["natural_gas"].year == 2006
    assert "IPCC 2006" in factors["diesel"].source and factors["diesel"].value == D("0.074343")
    assert "SEIN" in factors["electricity"].source


def test_a_result_is_computed_by_hand(world, record):
    result_id = record("reported", a_electricity="1250.5", a_natural_gas="3000", a_process="12.25")
    assert achieved_tco2e(result_id) == D("430.8135")
    totals = queries.totals("achieved", ("reported",))
    assert totals.tco2e == D("430.8135") and totals.energy_mj == D("7501800")


def test_an_old_result_keeps_its_factor_after_a_new_version(world, record):
    old = record("verified", a_electricity="1250.5", a_natural_gas="3000", a_process="12.25")
    services.add_factor_version(world.admin, "electricity", D("0.25"), "MINAM 2024 (test)", 2024)
    db.session.commit()
    assert services.current_factors()["electricity"].version == 2
    assert achieved_tco2e(old) == D("430.8135")  # unchanged: v1 stays on its lines
    new = record("verified", a_electricity="100")
    assert achieved_tco2e(new) == D("25.0000")  # 100 MWh × 0.25 (v2)
    assert queries.verified().tco2e == D("455.8135")


def test_editing_an_old_result_recomputes_with_its_own_factor_version(world, record):
    old = record("reported", a_electricity="1250.5")
    services.add_factor_version(world.admin, "electricity", D("0.25"), "MINAM 2024 (test)", 2024)
    result = db.session.get(MeasureResult, old)
    values = ResultValues(world.programme.id, world.furnace.id, "reported", result.occurred_on,
                          achieved={"electricity": D("1000")})  # fmt: skip
    services.save_result(world.manager, world.company, result, values)
    db.session.commit()
    assert achieved_tco2e(old) == D("200.0000")  # 1,000 × 0.2 (v1, not 0.25)


def test_statuses_are_never_added_together(world, record):
    record("estimated", a_electricity="1000")  # 200
    record("reported", a_electricity="500")  # 100
    record("verified", a_electricity="50", e_electricity="400")  # 10 achieved, 80 expected
    by_status = queries.by_status("achieved")
    assert [by_status[s].tco2e for s in ("estimated", "reported", "verified")] == [D(200), D(100), D(10)]
    assert queries.verified().tco2e == D(10)
    assert queries.projected().tco2e == D(80)


def test_upops_are_stored_in_micrograms_and_shown_in_the_targets_unit(world, record):
    record("verified", a_upops="500000")  # 0.5 g TEQ/yr
    assert queries.verified().upops_ug == D(500000)
    assert queries.in_unit(D(500000), "g TEQ/yr") == D("0.5")
    assert queries.in_unit(D(500000), "µg TEQ/yr") == D(500000)


def test_a_factor_version_must_be_positive_and_for_an_energy(world):
    import pytest

    from crm.errors import UserError

    with pytest.raises(UserError):
        services.add_factor_version(world.admin, "electricity", D(0), "x", 2024)
    with pytest.raises(UserError):
        services.add_factor_version(world.admin, "upops", D(1), "x", 2024)
    assert db.session.scalar(select(MeasureResult.id)) is None

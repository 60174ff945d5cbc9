"""The arithmetic of results, for any quantities: exact Decimals, half-up to 4 places, statuses apart."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.models.results import EmissionFactor
from crm.results import queries
from crm.results.services import line_tco2e

amounts = st.decimals(min_value=0, max_value=Decimal("9999999999"), places=4, allow_nan=False)
factors = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal(10), places=8, allow_nan=False)


@given(amount=amounts, value=factors)
def test_energy_times_factor_rounds_half_up_to_four_places(amount, value):
    factor = EmissionFactor(carrier="electricity", version=1, value=value, unit="t", source="s", year=2020)
    result = line_tco2e("electricity", amount, factor)
    assert isinstance(result, Decimal) and result == (amount * value).quantize(
        Decimal("0.0001"), ROUND_HALF_UP
    )
    assert abs(result - amount * value) <= Decimal("0.00005")


@given(amount=amounts)
def test_process_emissions_count_as_they_are_and_upops_carry_no_co2(amount):
    assert line_tco2e("process", amount, None) == amount
    assert line_tco2e("upops", amount, None) == 0


@given(ug=amounts)
def test_upops_units_convert_exactly_both_ways(ug):
    grams = queries.in_unit(ug, "g TEQ/yr")
    assert grams * 1_000_000 == ug and queries.in_unit(ug, "mg TEQ") * 1000 == ug


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(
        st.tuples(st.sampled_from(["estimated", "reported", "verified"]), st.integers(0, 10**6)),
        min_size=1,
        max_size=5,
    )
)
def test_totals_by_status_are_the_sums_of_their_own_results(world, record, lines):
    from crm.extensions import db
    from crm.models import MeasureResult

    for row in db.session.query(MeasureResult).all():  # hypothesis reuses the test's database
        db.session.delete(row)
    db.session.commit()
    for status, mwh in lines:
        record(status, a_electricity=str(mwh))
    by_status = queries.by_status("achieved")
    for status in ("estimated", "reported", "verified"):
        expected = sum((Decimal(m) * Decimal("0.2") for s, m in lines if s == status), Decimal(0))
        assert by_status[status].tco2e == expected
        assert by_status[status].energy_mj == sum(
            (Decimal(m) * 3600 for s, m in lines if s == status), Decimal(0)
        )
    assert queries.verified().tco2e == by_status["verified"].tco2e

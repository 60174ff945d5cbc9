"""The Wilson 95 % interval beside each conversion rate."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from crm.reports.tables import percent, wilson


def test_known_intervals():
    # Published values: 1 of 3 → 6.1–79.2 %, 32 of 153 → 15.2–28.0 %, 0 of 10 → 0.0–27.8 %.
    assert wilson(1, 3) == (Decimal("6.1"), Decimal("79.2"))
    assert wilson(32, 153) == (Decimal("15.2"), Decimal("28.0"))
    assert wilson(0, 10) == (Decimal("0.0"), Decimal("27.8"))
    assert wilson(0, 0) is None


@given(st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_interval_holds_the_rate_and_stays_within_0_and_100(case):
    successes, trials = case
    low, high = wilson(successes, trials)
    assert Decimal(0) <= low <= percent(successes, trials) <= high <= Decimal(100)


@given(st.integers(1, 50), st.integers(1, 50))
def test_more_trials_at_the_same_rate_narrow_the_interval(successes, extra):
    trials = successes + extra
    low, high = wilson(successes, trials)
    low10, high10 = wilson(successes * 10, trials * 10)
    assert high10 - low10 < high - low

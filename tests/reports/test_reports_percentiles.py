"""Percentiles from a histogram of stay lengths equal percentile_cont over the values themselves."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, cast, func, literal, select, union_all

from crm.extensions import db
from crm.reports.sql import percentile_from_counts


def percentile_cont(found: list[int], num: int, den: int) -> Fraction:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont, exactly."""
    ordered, h = sorted(found), Fraction((len(found) - 1) * num, den)
    low = int(h)
    upper = ordered[min(low + 1, len(ordered) - 1)]
    return ordered[low] + (h - low) * (upper - ordered[low])


def from_histogram(found: list[int], num: int, den: int) -> Fraction:
    """Run percentile_from_counts over the histogram of the values, in the database."""
    counts = sorted(Counter(found).items())
    rows = union_all(*[select(literal(d).label("days"), literal(n).label("n")) for d, n in counts])
    rows = rows.subquery("histogram")
    upto = cast(func.sum(rows.c.n).over(order_by=rows.c.days), Integer).label("upto")
    total = cast(func.sum(rows.c.n).over(), Integer).label("total")
    running = select(rows.c.days, rows.c.n, upto, total).subquery("running")
    c = running.c
    scaled = db.session.scalar(select(percentile_from_counts(c.days, c.upto, c.n, c.total, num, den)))
    return Fraction(int(Decimal(scaled)), den)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    found=st.lists(st.integers(0, 400), min_size=1, max_size=40),
    share=st.sampled_from([(1, 2), (3, 4), (1, 4), (9, 10)]),
)
def test_the_histogram_percentile_is_percentile_cont(app, found, share):
    assert from_histogram(found, *share) == percentile_cont(found, *share)


def test_two_ranks_in_one_length_and_a_single_stay(app):
    assert from_histogram([31, 31, 31, 61, 41], 3, 4) == 41  # ranks 4 and 5: 41 and 61 → 41 + 0 × 20
    assert from_histogram([28, 28, 20, 31, 61], 1, 2) == 28  # rank 3 falls inside the 28s
    assert from_histogram([7], 3, 4) == 7

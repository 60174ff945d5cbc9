"""The funnel and conversion over a period add up each company's first day at a stage in it (company_days'
days before): they equal the counts straight from stage_reach for any moves, letters, referrals,
memberships and period."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.extensions import db
from crm.models import STAGES
from crm.reports import funnel
from crm.reports.filters import ReportFilters
from tests.pipeline.test_stage_reach import (
    DAY,
    DAY0,
    ORG,
    PROG,
    World,
    conversion_found,
    conversion_oracle,
    period_oracle,
)

# Moves dominate: a company must move several times, in both programmes, for a period to cut its history.
MOVES = st.lists(
    st.one_of(
        st.tuples(st.just("move"), ORG, PROG, st.sampled_from(STAGES), DAY),
        st.tuples(st.just("move"), ORG, PROG, st.sampled_from(STAGES), DAY),
        st.tuples(st.just("move"), ORG, PROG, st.sampled_from(STAGES), DAY),
        st.tuples(st.just("refer"), ORG, PROG),
        st.tuples(st.just("letter"), ORG, st.sampled_from([None, 0, 1]), st.booleans()),
        st.tuples(st.just("member"), ORG, st.sampled_from(["active", "lapsed", None])),
    ),
    min_size=2,
    max_size=16,
)
PERIOD = st.tuples(DAY, DAY).map(sorted)


def filters(world: World, period: list[int], programme: int | None) -> ReportFilters:
    """Return the filters of a period (days after DAY0), with a programme or without."""
    start, end = (DAY0 + timedelta(days=day) for day in period)
    chosen = None if programme is None else world.programmes[programme].id
    return ReportFilters(date_from=start, date_to=end, programme=chosen)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=MOVES, periods=st.lists(PERIOD, min_size=1, max_size=3))
def test_conversion_over_any_period_equals_the_counts_from_the_history(operations, periods):
    try:
        world = World()
        for name, *args in operations:
            getattr(world, name)(*args)
        for period in periods:
            f = filters(world, period, None)
            assert funnel.funnel_counts(f) == period_oracle(f), period  # every stage, and evidence pending
            for programme in (None, 0, 1):
                f = filters(world, period, programme)
                for by in ("source", "membership", "district"):
                    assert conversion_found(f, by) == conversion_oracle(f, by), (period, programme, by)
    finally:
        db.session.rollback()


def test_a_company_referred_in_both_programmes_counts_once_for_its_association(make_org):
    world = World()
    world.move(1, 0, "contacted", 1)  # company 1 is referred by the association in both programmes
    world.move(1, 1, "loi_signed", 2)
    world.move(1, 0, "loi_signed", 5)
    world.move(1, 1, "assessed", 8)
    association = world.association.id
    found = {
        period: conversion_found(filters(world, list(period), None), "source")
        for period in ((0, 40), (0, 4), (3, 6), (6, 7))
    }
    assert found == {
        (0, 40): ({association: (1, 1, 1)}, (1, 1, 1)),
        (0, 4): ({association: (1, 1, 0)}, (1, 1, 0)),
        (3, 6): ({association: (1, 1, 0)}, (1, 1, 0)),
        (6, 7): ({}, (0, 0, 0)),
    }
    assert conversion_found(filters(world, [0, 4], 1), "source")[0] == {association: (1, 1, 0)}


def test_a_company_counts_once_however_often_it_moves_in_the_period(make_org):
    world = World()
    world.move(0, 0, "contacted", 1)
    world.move(0, 0, "meeting_held", 3)
    world.move(0, 0, "declined", 4)
    world.move(0, 0, "contacted", 6)
    world.move(0, 0, "loi_signed", 9)
    found = {
        period: conversion_found(filters(world, list(period), None), "district")[0]
        for period in ((0, 40), (2, 40), (5, 8), (10, 40))
    }
    district = world.orgs[0].district_id
    assert found == {
        (0, 40): {district: (1, 1, 0)},
        (2, 40): {district: (1, 1, 0)},  # a meeting, then contacted again after declining: once
        (5, 8): {district: (1, 0, 0)},
        (10, 40): {},
    }


def test_evidence_pending_counts_the_first_pending_day_in_the_period(make_org):
    world = World()
    world.letter(0, 0, True)  # programme 0's letter has its scan, programme 1's has none
    world.letter(0, 1, False)
    world.move(0, 0, "loi_signed", 6)
    world.move(0, 1, "loi_signed", 10)
    counts, pending = funnel.funnel_counts(filters(world, [5, 20], None))
    assert (counts["loi_signed"], pending["loi_signed"]) == (1, 1)
    assert funnel.funnel_counts(filters(world, [5, 20], None)) == period_oracle(filters(world, [5, 20], None))
    assert funnel.funnel_counts(filters(world, [0, 8], None))[1]["loi_signed"] == 0

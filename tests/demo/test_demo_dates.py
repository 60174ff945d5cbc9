"""The demo's dates follow the day it is seeded: recent history, overdue and due work, events to come."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from crm import clock
from crm.demo import phrases
from crm.demo.pipeline_plan import LAG_DAYS, MIDTERM, REFERENCE_DATE, PipelinePlanner, shift_for
from crm.demo.plan import Planner
from crm.demo.services import seed_demo
from crm.extensions import db
from crm.models import Event, FollowUp, Interaction, Letter, StageTransition

SEEDED_ON = date(2029, 3, 14)  # far from the design dates: a fixed-date seed cannot pass


def days(n: int) -> timedelta:
    """Return n days."""
    return timedelta(days=n)


@pytest.fixture
def seeded_on(monkeypatch) -> date:
    """Seed the demo with the app's clock stopped at SEEDED_ON (10:00 in Lima) and commit."""
    moment = lambda: datetime.combine(SEEDED_ON, time(10), tzinfo=clock.zone())  # noqa: E731
    monkeypatch.setattr(clock, "now", moment)
    monkeypatch.setattr("crm.demo.services.now", moment)
    seed_demo()
    db.session.commit()
    return SEEDED_ON


def latest(column, *conditions):
    """Return the latest value of a date column."""
    return db.session.scalar(select(func.max(column)).where(*conditions))


def test_a_demo_seeded_on_any_day_looks_current_that_day(seeded_on):
    day = seeded_on
    assert day - days(90) <= latest(StageTransition.occurred_on) <= day - days(LAG_DAYS)
    assert day - days(3) <= latest(Interaction.occurred_on) <= day
    open_ = select(func.count()).select_from(FollowUp).where(FollowUp.done_at.is_(None))
    assert db.session.scalar(open_.where(FollowUp.due_on < day)) > 0  # overdue
    assert db.session.scalar(open_.where(FollowUp.due_on.between(day, day + days(6)))) > 0  # due this week
    assert day - days(120) <= latest(Letter.requested_on) <= day
    assert latest(Letter.signed_on, Letter.kind == "cofinance") == MIDTERM + shift_for(day)
    next_event = db.session.scalar(select(func.min(Event.held_on)).where(Event.held_on > day))
    assert day + days(7) <= next_event <= day + days(13)  # an event next week or so
    assert day - days(400) <= latest(Event.held_on, Event.held_on <= day)


def test_the_planned_history_moves_with_the_seeding_day_by_whole_weeks():
    for offset in range(14):  # the last day of history lands 3-9 days before the seeding day
        day = SEEDED_ON + days(offset)
        assert day - days(9) <= REFERENCE_DATE + shift_for(day) <= day - days(LAG_DAYS)
        assert (shift_for(day).days % 7, (REFERENCE_DATE + shift_for(day)).weekday()) == (0, 1)

    def steps(day: date) -> list[tuple[str, str, date]]:
        """Plan the pipeline as seeded on that day."""
        companies = Planner(list(phrases.STEERING_ASSOCIATIONS)).companies()
        plans = PipelinePlanner(shift_for(day)).plan(companies)
        return [(e.company.legal_name, s.to_stage, s.on) for e in plans for s in e.steps]

    now, later = steps(SEEDED_ON), steps(SEEDED_ON + days(7 * 30))
    assert now == steps(SEEDED_ON)  # same day, same plan
    assert later == [(name, stage, on + days(7 * 30)) for name, stage, on in now]

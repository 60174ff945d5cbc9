"""The demo pipeline, letters, co-finance and events: figures that echo the mid-term review."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.clock import today
from crm.demo import catalog
from crm.demo.pipeline_plan import LAG_DAYS, REFERENCE_DATE, SURVEY, PipelinePlanner, shift_for
from crm.demo.plan import Planner
from crm.demo.services import DATA_DIR
from crm.extensions import db
from crm.letters.cofinance import totals
from crm.models import (
    EXITS,
    STAGES,
    Attendance,
    Barrier,
    Contact,
    Engagement,
    Event,
    Letter,
    Organisation,
    OutboxMessage,
    Programme,
    Sector,
    StageTransition,
    User,
)

pytestmark = pytest.mark.shared_rows  # one demo seeding for the whole module (tests/demo/conftest.py)

# Companies that reached each stage, from the transitions (DOMAIN.md, mid-term figures).
CALLAO = dict(zip(STAGES, (200, 190, 89, 42, 39, 20, 6, 2), strict=True))
PARKS = dict(zip(STAGES, (24, 20, 8, 3, 1, 0, 0, 0), strict=True))


def reached(programme: str, *conditions) -> dict[str, int]:
    """Count the engagements of a programme that ever entered each stage, in SQL."""
    query = (
        select(StageTransition.to_stage, func.count(func.distinct(StageTransition.engagement_id)))
        .join(Engagement, Engagement.id == StageTransition.engagement_id)
        .join(Programme, Programme.id == Engagement.programme_id)
        .join(Organisation, Organisation.id == Engagement.organisation_id)
        .outerjoin(Sector, Sector.id == Organisation.sector_id)
        .where(Programme.code == programme, *conditions)
        .group_by(StageTransition.to_stage)
    )
    counts = dict(db.session.execute(query).all())
    return {stage: counts.get(stage, 0) for stage in STAGES}


def last_day() -> object:
    """Return the last day of the seeded history: a few days before today."""
    return today() - timedelta(days=LAG_DAYS)


def histories() -> dict[int, list[StageTransition]]:
    """Return every engagement's transitions in the order they happened."""
    rows = db.session.scalars(
        select(StageTransition).order_by(StageTransition.occurred_on, StageTransition.id)
    )
    by_engagement = defaultdict(list)
    for row in rows:
        by_engagement[row.engagement_id].append(row)
    return by_engagement


def test_the_funnel_counted_from_transitions_echoes_the_mid_term(seeded):
    assert reached("ZIS-CALLAO") == CALLAO
    assert reached("PEI") == PARKS
    assert round(CALLAO["contacted"] / CALLAO["loi_signed"]) == 5  # about one in five signs
    no_sector = select(func.count()).select_from(Engagement).join(Organisation, Engagement.organisation)
    assert db.session.scalar(no_sector.where(Organisation.sector_id.is_(None))) == 0
    foundries = reached("ZIS-CALLAO", Sector.code == "24")
    assert foundries["contacted"] >= 30
    assert round(foundries["contacted"] / foundries["loi_signed"]) == 6  # one foundry in six
    # A company never gets further in the parks than in Callao: counted per company, the funnel is Callao's.
    for stage, n in CALLAO.items():
        companies = (
            select(func.count(func.distinct(Engagement.organisation_id)))
            .join(StageTransition)
            .where(StageTransition.to_stage == stage)
        )
        assert db.session.scalar(companies) == n, stage


def test_exits_give_a_barrier_and_a_note_led_by_fear_of_inspection_and_the_economy(seeded):
    exits = db.session.scalars(select(StageTransition).where(StageTransition.to_stage.in_(EXITS))).all()
    assert len(exits) >= 50 and {t.to_stage for t in exits} == set(EXITS)
    assert all(t.barrier_id and t.note for t in exits)
    by_reason = Counter(t.barrier.code for t in exits)
    assert {code for code, _ in by_reason.most_common(2)} == {"fear_of_inspection", "economic_situation"}
    assert set(by_reason) == set(db.session.scalars(select(Barrier.code)))
    forward = select(func.count()).where(
        StageTransition.to_stage.in_(STAGES), StageTransition.barrier_id.is_not(None)
    )
    assert db.session.scalar(forward) == 0


def test_every_stage_is_the_last_transition_and_every_gate_holds(seeded):
    engagements = {e.id: e for e in db.session.scalars(select(Engagement))}
    history = histories()
    assert set(history) == set(engagements)
    for engagement_id, steps in history.items():
        engagement = engagements[engagement_id]
        assert engagement.stage == steps[-1].to_stage and engagement.stage_since == steps[-1].occurred_on
        assert [t.from_stage for t in steps] == [None] + [t.to_stage for t in steps[:-1]]
        assert SURVEY[0] + shift_for(today()) <= steps[0].occurred_on and steps[-1].occurred_on <= last_day()
        for step in steps:
            if step.to_stage == "loi_signed":  # the gate: a signed letter of interest, signed by then
                letter = db.session.scalars(
                    select(Letter).where(
                        Letter.organisation_id == engagement.organisation_id,
                        Letter.programme_id == engagement.programme_id,
                        Letter.kind == "interest",
                        Letter.status == "signed",
                    )
                ).one()
                assert letter.signed_on <= step.occurred_on and letter.signatory.organisation_id == (
                    engagement.organisation_id
                )
            if step.to_stage == "feasibility_delivered":
                assert engagement.feasibility_delivered_on == step.occurred_on
    years = {t.occurred_on.year for steps in history.values() for t in steps}
    first, last = SURVEY[0] + shift_for(today()), REFERENCE_DATE + shift_for(today())
    assert years == set(range(first.year, last.year + 1))  # some history every year


def test_referrals_and_owners_give_every_staff_member_work(seeded):
    engagements = db.session.scalars(
        select(Engagement).where(Engagement.source_association_id.is_not(None))
    ).all()
    assert len(engagements) >= 30
    liaison = db.session.scalars(select(User).filter_by(email=catalog.LIAISON_EMAIL)).one()
    for engagement in engagements:
        assert engagement.source_association.kind == "association" and engagement.referred_at
        from_sni = engagement.source_association.legal_name == catalog.LIAISON_ASSOCIATION
        assert engagement.referred_by_id == (liaison.id if from_sni else None)
    assert any(e.referred_by_id == liaison.id for e in engagements)
    owners = (
        select(User.email, Engagement.stage, func.count())
        .join(Organisation, Organisation.owner_id == User.id)
        .join(Engagement, Engagement.organisation_id == Organisation.id)
        .group_by(User.email, Engagement.stage)
    )
    stages = defaultdict(set)
    for email, stage, _n in db.session.execute(owners):
        stages[email].add(stage)
    assert set(stages) == set(catalog.STAFF_EMAILS)
    assert all(len(s) >= 6 for s in stages.values())


def test_cofinance_totals_equal_the_mid_term_table_and_letters_wait_to_be_chased(seeded):
    with open(DATA_DIR / "cofinance_commitments_2021.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    committed = sum(Decimal(r["committed_usd"]) for r in rows)
    materialised = sum(Decimal(r["materialized_usd"]) for r in rows)
    result = totals()
    assert result.letters == len(rows) == 40
    assert (result.committed, result.materialised, result.pending) == (
        committed,
        materialised,
        committed - materialised,
    )
    assert (result.committed, result.materialised, result.pending) == (52_029_264, 9_737_523, 42_291_741)
    requested = db.session.scalars(select(Letter).filter_by(kind="interest", status="requested")).all()
    assert len(requested) == 12 and all(lt.received_on is None and lt.signed_on is None for lt in requested)
    assert {lt.requested_by.email for lt in requested} == set(catalog.STAFF_EMAILS)
    for letter in requested:  # the company met the team and is waiting at that stage
        engagement = db.session.scalars(
            select(Engagement).filter_by(
                organisation_id=letter.organisation_id, programme_id=letter.programme_id
            )
        ).one()
        assert engagement.stage == "meeting_held" and engagement.stage_since <= letter.requested_on
    cooperation = db.session.scalars(select(Letter).filter_by(kind="cooperation")).all()
    assert Counter(lt.status for lt in cooperation) == {"signed": 3, "received": 1, "requested": 1}
    assert {lt.organisation.kind for lt in cooperation} == {"government"}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_events_reach_250_people_30_percent_women_as_at_the_mid_term(seeded):
    past = select(Event.type, func.count()).where(Event.held_on < today()).group_by(Event.type)
    assert dict(db.session.execute(past).all()) == {"awareness": 6, "training": 3, "steering_committee": 7}
    reached_people = (
        select(Contact.gender, func.count(func.distinct(Contact.id)))
        .join(Attendance, Attendance.contact_id == Contact.id)
        .join(Event, Event.id == Attendance.event_id)
        .where(Event.type == "awareness")
        .group_by(Contact.gender)
    )
    genders = dict(db.session.execute(reached_people).all())
    assert sum(genders.values()) == 250
    assert genders == {"female": 75, "male": 165, "not_recorded": 10}  # 31% of recorded are women
    attendances = db.session.scalar(
        select(func.count()).select_from(Attendance).join(Event).where(Event.type == "awareness")
    )
    assert attendances > 250  # some came more than once, and count once
    trainings = db.session.scalars(select(Event).filter_by(type="training")).all()
    assert len(trainings) == 4 and all(t.training_module for t in trainings)
    assert sum(t.gender_specific for t in trainings) == 1
    women_only = next(t for t in trainings if t.gender_specific)
    people = db.session.scalars(
        select(Contact).join(Attendance).where(Attendance.event_id == women_only.id)
    ).all()
    assert people and {p.gender for p in people} == {"female"}
    upcoming = db.session.scalars(select(Event.type).where(Event.held_on > today())).all()
    assert sorted(upcoming) == ["steering_committee", "training"]
    came = select(func.count()).select_from(Attendance).join(Event).where(Event.held_on > today())
    assert db.session.scalar(came) == 0  # nobody has attended an event still to come


def test_the_pipeline_plan_is_the_same_on_every_run():
    def plan():
        """Plan the generated companies' pipeline from scratch."""
        companies = Planner(["Sociedad Nacional de Industrias", "Cámara de Comercio de Lima"]).companies()
        return [
            (e.company.legal_name, e.programme, e.depth, e.steps, e.letter, e.association)
            for e in PipelinePlanner().plan(companies)
        ]

    first = plan()
    assert first == plan()
    assert max(step.on for *_, steps, _l, _a in first for step in steps) <= REFERENCE_DATE

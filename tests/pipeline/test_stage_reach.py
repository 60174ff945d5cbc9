"""The maintained stage_reach rows and stage ranks always equal a full recomputation from the history."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from crm.extensions import db
from crm.imports import bulk
from crm.merge.services import merge_organisations
from crm.models import ALL_STAGES, STAGES, Engagement, Organisation, Programme, StageTransition
from crm.models.pipeline import StageReach
from crm.pipeline import reach, stage_rank
from crm.pipeline.services import Move, record
from crm.reports import funnel
from crm.reports.filters import ReportFilters

DAY0 = date(2025, 1, 1)
ORGS, PROGRAMMES = 3, 2

ORG = st.integers(0, ORGS - 1)
PROG = st.integers(0, PROGRAMMES - 1)
DAY = st.integers(0, 40)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("move"), ORG, PROG, st.sampled_from(ALL_STAGES), DAY),
        st.tuples(st.just("merge"), ORG, ORG),
        st.tuples(st.just("undo"), ORG, PROG),
        st.tuples(st.just("forget"), ORG, PROG),
    ),
    min_size=1,
    max_size=12,
)


def maintained() -> set[tuple]:
    """Return the stored rows."""
    columns = [getattr(StageReach, name) for name in reach.COLUMNS]
    return {tuple(row) for row in db.session.execute(select(*columns))}


def recomputed() -> set[tuple]:
    """Return the rows the whole history implies."""
    return {tuple(row) for row in db.session.execute(reach.reach_rows())}


def stage_ranks() -> tuple[dict[int, int | None], dict[int, int | None]]:
    """Return each organisation's stored stage rank, and the furthest current stage its engagements hold."""
    stored = dict(db.session.execute(select(Organisation.id, Organisation.stage_rank)).all())
    furthest = select(func.max(stage_rank.RANK)).where(Engagement.organisation_id == Organisation.id)
    query = select(Organisation.id, furthest.scalar_subquery())
    return stored, dict(db.session.execute(query).all())


class World:
    """Three companies, two programmes, and the operations a user (or an import) applies to them."""

    def __init__(self) -> None:
        self.orgs: list[Organisation | None] = []
        for n in range(ORGS):
            org = Organisation(kind="company", legal_name=f"Empresa {n}")
            db.session.add(org)
            self.orgs.append(org)
        self.programmes = db.session.scalars(select(Programme).order_by(Programme.id).limit(PROGRAMMES)).all()
        db.session.flush()

    def engagement(self, o: int, p: int) -> Engagement | None:
        """Return the company's engagement in the programme, if both exist."""
        org = self.orgs[o]
        if org is None:
            return None
        query = select(Engagement).where(
            Engagement.organisation_id == org.id, Engagement.programme_id == self.programmes[p].id
        )
        return db.session.scalars(query).first()

    def move(self, o: int, p: int, stage: str, day: int) -> None:
        """Move (or start) the engagement, on any day: back-dated moves and exits included."""
        org, when = self.orgs[o], DAY0 + timedelta(days=day)
        if org is None:
            return
        found = self.engagement(o, p)
        if found is None:
            found = Engagement(organisation_id=org.id, programme_id=self.programmes[p].id, stage_since=when)
            found.stage = None
            db.session.add(found)
        elif found.stage == stage:
            return
        record(found, Move(stage, when, note="prueba", barrier_id=None), None)
        db.session.flush()

    def merge(self, keep: int, drop: int) -> None:
        """Merge two companies through the merge service."""
        a, b = self.orgs[keep], self.orgs[drop]
        if a is None or b is None or keep == drop:
            return
        merge_organisations(a, b, {}, (a.version_id, b.version_id), None)
        self.orgs[drop] = None

    def undo(self, o: int, p: int) -> None:
        """Delete the engagement as an import's undo does (Core, no flush hook)."""
        if (found := self.engagement(o, p)) is not None:
            db.session.flush()
            bulk.delete_many(Engagement, [found.id])
            db.session.expire_all()

    def forget(self, o: int, p: int) -> None:
        """Remove the engagement's latest transition through the ORM (delete-orphan)."""
        found = self.engagement(o, p)
        if found is not None and found.transitions:
            found.transitions.pop()
            db.session.flush()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_stage_reach_equals_a_full_recomputation_after_any_sequence(operations):
    try:
        world = World()
        for name, *args in operations:
            getattr(world, name)(*args)
            db.session.flush()
            assert maintained() == recomputed(), (name, args)
            stored, expected = stage_ranks()
            assert stored == expected, (name, args)  # organisations.stage_rank, kept by the same writes
    finally:
        db.session.rollback()


def test_a_jump_ahead_reaches_the_skipped_stages_and_an_exit_reaches_nothing(make_org):
    world = World()
    world.move(0, 0, "meeting_held", 3)
    world.move(0, 0, "declined", 5)
    rows = maintained()
    meeting = STAGES.index("meeting_held")
    assert {(r[1], r[2], r[5]) for r in rows} == {(DAY0 + timedelta(days=3), meeting, True)}
    counts = funnel.stage_counts(ReportFilters())
    assert [counts[s] for s in STAGES[:4]] == [1, 1, 1, 0]


def test_the_rebuild_command_restores_the_rows_from_the_history(app, make_org):
    world = World()
    world.move(0, 0, "contacted", 1)
    world.move(1, 1, "identified", 2)
    db.session.commit()
    expected = maintained()
    db.session.execute(StageReach.__table__.delete())
    db.session.execute(Organisation.__table__.update().values(stage_rank=None))
    db.session.execute(StageTransition.__table__.update().values(note="x"))  # history untouched in substance
    db.session.commit()
    assert maintained() == set()
    result = app.test_cli_runner().invoke(args=["crm", "rebuild-aggregates"])
    assert result.exit_code == 0 and "2 rows" in result.output
    db.session.expire_all()
    assert maintained() == expected == recomputed()
    stored, furthest = stage_ranks()
    assert stored == furthest and stored[world.orgs[0].id] == STAGES.index("contacted")

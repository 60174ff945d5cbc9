"""The reach tallies: what the funnel and conversion add up, through deletions, folding and the job."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select

from crm.extensions import db
from crm.imports import bulk
from crm.models import District, Engagement, Letter, Membership, Programme
from crm.models.report_rows import CompanyDay
from crm.models.tallies import ExitTally, ReachTally, StayTally
from crm.organisations.services import delete_organisation
from crm.pipeline import tallies
from crm.pipeline.jobs import compact_reach_tallies
from crm.pipeline.services import Move, record
from crm.reports import conversion, funnel, timing
from crm.reports.filters import ReportFilters
from tests.pipeline.test_stage_reach import (
    exit_tallies_maintained,
    exit_tallies_recomputed,
    links_maintained,
    links_recomputed,
    stay_tallies_maintained,
    stay_tallies_recomputed,
    tallies_maintained,
    tallies_recomputed,
)
from workers.periodic import PERIODIC_JOBS

EVER = ReportFilters(date_from=date(2000, 1, 1))  # a period holding every move: the company_days path


def engage(org, stage: str, day: int = 1) -> Engagement:
    """Start the company's engagement in the first programme and move it to a stage."""
    programme = db.session.scalar(select(Programme).order_by(Programme.id))
    engagement = Engagement(organisation_id=org.id, programme_id=programme.id, stage_since=date(2025, 1, day))
    engagement.stage = None
    db.session.add(engagement)
    record(engagement, Move(stage, date(2025, 1, day), note="prueba", barrier_id=None), None)
    db.session.flush()
    return engagement


def contacted(f: ReportFilters | None = None) -> int:
    """Return the funnel's count of companies contacted."""
    return funnel.stage_counts(f or ReportFilters())["contacted"]


def test_deleting_an_organisation_takes_it_out_of_the_counts(make_org):
    kept, by_orm, by_core = (make_org(name) for name in ("Fundición SAC", "Textil SAC", "Plásticos SAC"))
    for org in (kept, by_orm, by_core):
        engage(org, "meeting_held")
    db.session.commit()
    assert contacted() == 3

    signed = date(2025, 2, 1)
    db.session.add(Letter(kind="cofinance", organisation_id=by_orm.id, status="signed", signed_on=signed))
    db.session.commit()
    assert contacted(EVER) == 3
    gone = [by_orm.id, by_core.id]

    delete_organisation(by_orm)  # the ORM: the flush deletes it; the database cascades to its rows
    bulk.delete_many(type(by_core), [by_core.id])  # an import's undo: one Core statement
    db.session.commit()

    assert contacted() == 1
    assert tallies_maintained() == tallies_recomputed() != {}
    # The period path reads company_days: SQLite, too, must have cascaded them (its foreign keys are on).
    assert contacted(EVER) == 1
    for model in (Engagement, CompanyDay, Letter):
        assert db.session.scalar(select(func.count()).where(model.organisation_id.in_(gone))) == 0, model


def test_folding_keeps_every_sum_and_leaves_one_row_per_key(make_org):
    orgs = [make_org(f"Empresa {n}") for n in range(4)]
    for n, org in enumerate(orgs):  # stays of the same length, each written by a flush of its own
        engagement = engage(org, "contacted", n + 1)
        record(engagement, Move("meeting_held", date(2025, 2, n + 1), note="", barrier_id=None), None)
        db.session.flush()
    before, rows = tallies_maintained(), db.session.scalar(select(func.count()).select_from(ReachTally))
    stays, exits = stay_tallies_maintained(), exit_tallies_maintained()
    stay_rows = db.session.scalar(select(func.count()).select_from(StayTally))

    tallies.compact(db.session.connection())
    tallies.compact(db.session.connection())  # twice: nothing changes

    keys = [getattr(ReachTally, name) for name in tallies.KEY]
    per_key = select(*keys).group_by(*keys).having(func.count() > 1).subquery()
    assert db.session.scalar(select(func.count()).select_from(per_key)) == 0
    assert db.session.scalar(select(func.count()).select_from(ReachTally)) < rows
    assert tallies_maintained() == before == tallies_recomputed()
    assert db.session.scalar(select(func.count()).where(ReachTally.n == 0)) == 0
    assert stay_tallies_maintained() == stays == stay_tallies_recomputed() != {}
    stay_keys = [getattr(StayTally, name) for name in tallies.STAY_KEY]
    per_stay_key = select(*stay_keys).group_by(*stay_keys).having(func.count() > 1).subquery()
    assert db.session.scalar(select(func.count()).select_from(per_stay_key)) == 0
    assert db.session.scalar(select(func.count()).select_from(StayTally)) < stay_rows
    assert exit_tallies_maintained() == exits == exit_tallies_recomputed()


def test_the_periodic_job_folds_the_ledger(make_org):
    engage(make_org("Fundición Callao SAC"), "contacted")
    db.session.commit()
    before = tallies_maintained()
    assert any(entry["job"] is compact_reach_tallies for entry in PERIODIC_JOBS)

    compact_reach_tallies()  # commits, as every job does at its end

    assert db.session.scalar(select(func.count()).select_from(ReachTally)) == len(before)
    assert tallies_maintained() == before


def test_reports_with_one_company_filter_read_the_tallies_and_two_filters_or_a_period_do_not(
    make_org, make_membership
):
    gremio = make_org("Gremio SAC", kind="association")
    company = make_org("Fundición Callao SAC")
    make_membership(company, gremio)
    engagement = engage(company, "contacted")
    db.session.commit()
    district = db.session.scalar(select(District.id).order_by(District.id))
    company.district_id = district
    db.session.commit()
    record(engagement, Move("meeting_held", date(2025, 1, 9), note="", barrier_id=None), None)  # one stay
    record(engagement, Move("declined", date(2025, 1, 20), note="", barrier_id=None), None)  # one exit
    db.session.commit()
    db.session.execute(ReachTally.__table__.delete())  # the counts gone, the companies' rows kept
    db.session.execute(StayTally.__table__.delete())
    db.session.execute(ExitTally.__table__.delete())

    one_filter = [ReportFilters(), ReportFilters(association=gremio.id), ReportFilters(district=district)]
    for f in one_filter:
        assert contacted(f) == 0, f
    for by in ("size", "membership", "source"):  # a company column, and both association groupings
        for f in one_filter:
            assert db.session.execute(conversion.conversion_query(f, by, "group", "es")).all() == [], (by, f)
    for f in one_filter:
        assert timing.stage_limits(f) == {}, f  # time in stage adds up the stay tallies
        assert funnel.exit_rows(f, "es") == [], f  # the funnel's exits add up the exit tallies
    # A period, or two company filters together, read the per-company rows.
    ever = ReportFilters(date_from=date(2000, 1, 1))
    assert contacted(ever) == 1
    found = db.session.execute(conversion.conversion_query(ever, "membership", "group", "es")).all()
    assert [(key, contacted) for key, _name, contacted, *_rest in found] == [(gremio.id, 1)]
    assert timing.stage_limits(ever)["contacted"].n == 1  # the stay read from stage_stays
    assert contacted(ReportFilters(association=gremio.id, district=district)) == 1
    assert [tuple(row) for row in funnel.exit_rows(ever, "es")] == [("meeting_held", "declined", None, 1)]
    db.session.rollback()


def test_memberships_written_around_the_orm_and_a_deleted_association_change_the_association_counts(
    make_org,
):
    gremio, camara = make_org("Gremio SAC", kind="association"), make_org("Cámara SAC", kind="association")
    one, two = make_org("Fundición SAC"), make_org("Textil SAC")
    engage(one, "contacted")
    engage(two, "meeting_held")
    db.session.commit()
    assert contacted(ReportFilters(association=gremio.id)) == 0

    members = [{"company_id": org.id, "association_id": gremio.id, "status": "active"} for org in (one, two)]
    ids = bulk.create_many(Membership, members, None)  # an import: one Core statement, no flush hook
    bulk.create_many(
        Membership, [{"company_id": one.id, "association_id": camara.id, "status": "active"}], None
    )
    db.session.commit()
    assert (
        contacted(ReportFilters(association=gremio.id))
        == 2
        == contacted(ReportFilters(association=camara.id)) + 1
    )

    bulk.delete_many(Membership, ids[:1])  # the import's undo
    delete_organisation(camara)  # its memberships go by cascade
    db.session.commit()
    assert contacted(ReportFilters(association=gremio.id)) == 1
    assert tallies_maintained() == tallies_recomputed() != {}
    assert links_maintained() == links_recomputed()


def test_a_fold_beside_a_transaction_still_writing_loses_none_of_its_counts(make_org):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: no fold can run beside an open write")
    engage(make_org("Fundición Callao SAC"), "contacted")
    db.session.commit()
    before = tallies_maintained()
    key = (0, 0, None, 0, None, 1, None)
    row = dict(zip(tallies.KEY, key, strict=True)) | {"n": 1}
    with db.engine.connect() as other:
        pending = other.begin()
        other.execute(insert(ReachTally).values(row))  # a move's +1, not committed yet
        db.session.execute(insert(ReachTally).values(row))  # another move's, committed first
        db.session.commit()
        tallies.compact(db.session.connection())  # folds what it sees, without waiting for the other
        db.session.commit()
        pending.commit()

    expected = {**before, key: before.get(key, 0) + 2}
    assert tallies_maintained() == expected


def test_deleting_transitions_takes_their_stays_and_exits_out_of_the_tallies(make_org):
    # The stays and exits rows hang from transitions: deleting these (an import's undo, in Core; a move
    # removed through the ORM) must take the rows out of the ledgers before anything removes the rows.
    undone, trimmed = make_org("Fundición SAC"), make_org("Textil SAC")
    for org in (undone, trimmed):
        engagement = engage(org, "contacted")
        record(engagement, Move("meeting_held", date(2025, 2, 1), note="", barrier_id=None), None)
        record(engagement, Move("declined", date(2025, 3, 1), note="", barrier_id=None), None)
    db.session.commit()
    assert stay_tallies_maintained() == stay_tallies_recomputed() != {}
    assert exit_tallies_maintained() == exit_tallies_recomputed() != {}

    bulk.delete_many(Engagement, [undone_engagement(undone)])
    kept = db.session.get(Engagement, undone_engagement(trimmed))
    kept.transitions.pop()  # the exit: its row goes
    db.session.flush()
    kept.transitions.pop()  # the move to meeting_held: the stay in contacted goes
    db.session.commit()

    assert stay_tallies_maintained() == stay_tallies_recomputed() == {}
    assert exit_tallies_maintained() == exit_tallies_recomputed() == {}


def undone_engagement(org) -> int:
    """Return the id of the company's engagement."""
    return db.session.scalar(select(Engagement.id).where(Engagement.organisation_id == org.id))

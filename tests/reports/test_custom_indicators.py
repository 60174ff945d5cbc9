"""Admin-defined indicators: each catalogue measure with its filters, manual entries (latest / sum),
targets per period, and freezing — the expected figures worked out by hand from tests/reports/conftest.py.

Companies (furthest position; sector; district): C1 4 assessed (Y91, D1) · C2 2 meeting (Y91, D1) ·
C3 5 TA (Y9, D2) · C4 3 loi (Y8, D2) · C5 0 identified (none) · C6 1 contacted (Y91, D1) · C7 2 meeting
(Y8, D1); the ministry (government) was contacted. Y91 is a division of section Y9; D1 and D2 are in
"Región Test".
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import (
    ChangeLog,
    Document,
    Indicator,
    IndicatorEntry,
    Letter,
    Measure,
    Programme,
)
from crm.reports import custom_indicators, indicator_admin, indicators, services
from crm.reports.indicator_admin import EntryValues, IndicatorValues
from crm.results import services as result_services
from crm.results.services import ResultValues

D = date.fromisoformat
TODAY = D("2026-12-01")


@pytest.fixture
def admin(make_user):
    """An administrator who defines the indicators."""
    return make_user("admin")


@pytest.fixture
def define(admin):
    """Define an indicator through the service and commit: define('letters', code, unit=..., **params)."""

    def do(
        measure: str | None, code: str = "X.1", unit: str = "companies", target=None, **params
    ) -> Indicator:
        kind = "manual" if measure is None else "computed"
        aggregation = params.pop("aggregation", "latest")
        values = IndicatorValues(
            code, f"Indicador {code}", f"Indicator {code}", unit, None, target, kind, measure
        )
        values.params, values.aggregation = params, aggregation
        indicator = indicator_admin.create_indicator(admin, values)
        db.session.commit()
        return indicator

    return do


def value(indicator: Indicator, as_of: date | None = None) -> Decimal | None:
    """Return an indicator's value as of a date, through the framework's compute."""
    return indicators.compute(indicator, as_of).value


def test_stage_reached_with_its_filters(world, define):
    meeting = define("stage_reached", "S.1", stage="meeting_held")  # kind defaults to companies
    assert value(meeting) == 5  # C1 C2 C3 C4 C7
    assert indicators.compute(meeting, None).indicator.params == {
        "stage": "meeting_held",
        "count_by": "organisations",
    }
    assert (
        value(
            define("stage_reached", "S.2", stage="meeting_held", org_kind="company", sector=world.ref.y9.id)
        )
        == 3
    )
    assert (
        value(define("stage_reached", "S.3", stage="meeting_held", sector=str(world.ref.y91.id))) == 2
    )  # C1 C2
    assert value(define("stage_reached", "S.4", stage="contacted", org_kind="company")) == 6  # not C5
    assert (
        value(define("stage_reached", "S.5", stage="contacted", org_kind="government")) == 1
    )  # the ministry
    assert (
        value(define("stage_reached", "S.6", stage="identified", count_by="engagements", org_kind="company"))
        == 8
    )
    assert value(define("stage_reached", "S.7", stage="identified", district=world.ref.d2.id)) == 2  # C3 C4
    assert value(define("stage_reached", "S.8", stage="identified", region="Región Test")) == 6  # C5 has none
    assessed = define("stage_reached", "S.9", stage="assessed")
    assert (value(assessed), value(assessed, D("2025-06-30"))) == (2, 1)  # C3 assessed on 2025-08-01


def test_letters_by_kind_and_status(world, define):
    signed = define("letters", "L.1", unit="letters", letter_kind="interest", letter_status="signed")
    companies = define(
        "letters", "L.2", letter_kind="interest", letter_status="signed", letters_count="organisations"
    )
    # C1, C3 twice, C4 signed; by 2025-06-30 only C1 (03-30) and C3 (06-30, twice).
    assert (value(signed), value(companies)) == (4, 3)
    assert (value(signed, D("2025-06-30")), value(companies, D("2025-06-30"))) == (3, 2)
    requested = define("letters", "L.3", letter_kind="interest", letter_status="requested")
    assert value(requested, D("2020-01-01")) == 1  # C2's request carries no date: it always counts
    cooperation = define("letters", "L.4", letter_kind="cooperation", letter_status="signed")
    assert (value(cooperation), value(cooperation, D("2025-12-31"))) == (2, 1)
    withdrawn = define("letters", "L.5", letter_kind="cooperation", letter_status="withdrawn")
    assert value(withdrawn) == 1


def test_attendance_by_event_type_and_gender(event_world, define):
    # E1 awareness 2025-03-10: P1 f, P2 m, P3 not recorded · E2 awareness 2025-09-10: P1, P4 f, P5 other
    # E3 training 2025-10-01: P4, P6 m · E4 workshop: nobody
    everybody = define("attendance", "A.1", unit="people")
    assert value(everybody) == 6
    women_aware = define("attendance", "A.2", event_type="awareness", genders=["female"])
    assert value(women_aware) == 2  # P1 (twice) and P4
    assert value(define("attendance", "A.3", genders=["male", "female"])) == 4  # P1 P2 P4 P6
    assert value(define("attendance", "A.4", event_type="training", genders="male")) == 1  # P6
    assert value(define("attendance", "A.5", event_type="awareness"), D("2025-06-30")) == 3


def test_cofinance_by_status(money_world, define):
    # Signed: SNI 1000 in kind (paid 200 on 2025-04-01, 300 on 2025-09-01), C1 5000 equity (paid 6000 on
    # 2025-06-01), the ministry 2500.50 in kind (2025-08-01); C1's 100 is only requested.
    committed = define("cofinance", "F.1", unit="USD", money="committed")
    materialised = define("cofinance", "F.2", unit="USD", money="materialised")
    pending = define("cofinance", "F.3", unit="USD", money="pending")
    assert [value(i) for i in (committed, materialised, pending)] == [
        Decimal("8500.50"),
        Decimal("6500"),
        Decimal("2000.50"),
    ]
    mid = D("2025-06-30")
    assert [value(i, mid) for i in (committed, materialised, pending)] == [6000, 6200, -200]
    in_kind = define("cofinance", "F.4", unit="USD", money="pending", cofinance_type="in_kind")
    assert value(in_kind) == Decimal("3000.50")  # 1000 + 2500.50 - 500
    private = define("cofinance", "F.5", unit="USD", money="pending", cofinancier_type="private")
    assert value(private) == -1000


@pytest.fixture
def results_world(make_org, make_user):
    """R1 verified 2025-03-01: achieved process 10 tCO2eq and 2,000 µg TEQ u-POPs · R2 reported 2025-09-01:
    achieved process 5, expected process 7 · R3 estimated 2026-02-01: achieved LPG 3 GJ (3,000 MJ)."""
    user, company = make_user("manager"), make_org("Fundición Resultados")
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    measure = db.session.scalars(select(Measure).order_by(Measure.id)).first()

    def result(status, day, expected=None, achieved=None):
        values = ResultValues(
            programme.id, measure.id, "reported" if status == "verified" else status, D(day)
        )
        values.expected = {k: Decimal(v) for k, v in (expected or {}).items()}
        values.achieved = {k: Decimal(v) for k, v in (achieved or {}).items()}
        row = result_services.save_result(user, company, None, values)
        if status == "verified":
            document = Document(storage_name="f" * 32, original_name="v.pdf", content_type="application/pdf",
                                size=1, sha256="0" * 64)  # fmt: skip
            db.session.add(document)
            db.session.flush()
            row.evidence_id, values.status = document.id, "verified"
            result_services.save_result(user, company, row, values)

    result("verified", "2025-03-01", achieved={"process": 10, "upops": 2000})
    result("reported", "2025-09-01", expected={"process": 7}, achieved={"process": 5})
    result("estimated", "2026-02-01", achieved={"lpg": 3})
    db.session.commit()


def test_results_by_status(results_world, define):
    verified = define("results", "R.1", unit="tCO2eq", quantity="tco2e", result_status="verified")
    assert value(verified) == 10
    reported = define("results", "R.2", unit="tCO2eq", result_status="reported")  # quantity: tCO2eq
    assert (value(reported), value(reported, D("2025-06-30"))) == (5, 0)
    expected = define("results", "R.3", unit="tCO2eq", result_status="reported", basis="expected")
    assert value(expected) == 7
    grams = define("results", "R.4", unit="g TEQ/yr", quantity="upops", result_status="verified")
    assert value(grams) == Decimal("0.002")  # 2,000 µg
    micro = define("results", "R.5", unit="µg TEQ/yr", quantity="upops", result_status="verified")
    assert value(micro) == 2000
    energy = define("results", "R.6", unit="MJ", quantity="energy", result_status="estimated")
    assert (value(energy), value(energy, D("2025-12-31"))) == (3000, 0)


def test_unknown_parameters_are_refused_and_nothing_is_added(world, define):
    before = db.session.scalars(select(Indicator.code)).all()
    for measure, params, field in [
        ("stage_reached", {"stage": "bogus"}, "stage"),
        ("stage_reached", {}, "stage"),
        ("stage_reached", {"stage": "declined"}, "stage"),  # an exit is no stage reached
        ("stage_reached", {"stage": "assessed", "sector": "999999"}, "sector"),
        ("letters", {"letter_kind": "love", "letter_status": "signed"}, "letter_kind"),
        ("letters", {"letter_kind": "interest", "letter_status": "lost"}, "letter_status"),
        ("attendance", {"genders": ["female", "robot"]}, "genders"),
        ("cofinance", {"money": "stolen"}, "money"),
        ("results", {"result_status": "imagined"}, "result_status"),
        ("results", {"result_status": "verified", "quantity": "kg"}, "quantity"),
    ]:
        with pytest.raises(UserError) as refused:
            define(measure, "BAD.1", **params)
        assert field in refused.value.problems, (measure, params)
        db.session.rollback()
    with pytest.raises(UserError):
        define("horoscope", "BAD.2")
    db.session.rollback()
    assert db.session.scalars(select(Indicator.code)).all() == before


def test_codes_are_unique_and_well_formed(world, define):
    define("letters", "L.1", letter_kind="interest", letter_status="signed")
    for code in ("l.1", "3.1", "_secret", "", "a" * 21, "dos palabras"):
        with pytest.raises(UserError) as refused:
            define("letters", code, letter_kind="interest", letter_status="signed")
        assert refused.value.field == "code"
        db.session.rollback()


@pytest.fixture
def manual_pair(define, admin):
    """Two manual indicators with the same entries: 2025-S1 10, 2025-S2 25, 2026-S1 30; one reads the latest
    entry, the other adds them up."""
    latest = define(None, "M.1", unit="instruments")
    summed = define(None, "M.2", unit="instruments", aggregation="sum")
    for indicator in (latest, summed):
        for period, amount in (("2025-S1", "10"), ("2025-S2", "25"), ("2026-S1", "30")):
            indicator_admin.save_entry(admin, indicator, EntryValues(period, amount, "acta"), TODAY)
    db.session.commit()
    return latest, summed


@pytest.mark.parametrize(
    ("as_of", "latest", "summed"),
    [
        ("2025-06-29", None, None),  # 2025-S1 has not ended yet
        ("2025-06-30", 10, 10),
        ("2025-12-30", 10, 10),
        ("2025-12-31", 25, 35),
        ("2026-03-01", 25, 35),
        ("2026-07-01", 30, 65),
        (None, 30, 65),
    ],
)
def test_manual_value_as_of_a_date(manual_pair, as_of, latest, summed):
    day = D(as_of) if as_of else None
    assert (value(manual_pair[0], day), value(manual_pair[1], day)) == (latest, summed)


def test_entering_a_period_again_replaces_its_value(manual_pair, admin):
    latest = manual_pair[0]
    entry, created = indicator_admin.save_entry(admin, latest, EntryValues("2026-s1", "31.5", ""), TODAY)
    db.session.commit()
    assert not created and entry.period == "2026-S1" and value(latest) == Decimal("31.50")
    assert (
        len(db.session.scalars(select(IndicatorEntry).where(IndicatorEntry.indicator_id == latest.id)).all())
        == 3
    )


@pytest.mark.parametrize(
    ("period", "amount", "field"),
    [
        ("2025-S3", "1", "period"),
        ("S1-2025", "1", "period"),
        ("2027-S1", "1", "period"),
        ("1999-S1", "1", "period"),
    ]
    + [
        ("2025-S1", "abc", "value"),
        ("2025-S1", "-1", "value"),
        ("2025-S1", "", "value"),
        ("2025-S1", "1e400", "value"),
    ]
    + [("2025-S1", "NaN", "value"), ("2025-S1", "1000000000000", "value")],
)
def test_bad_entries_are_refused(manual_pair, admin, period, amount, field):
    with pytest.raises(UserError) as refused:
        indicator_admin.save_entry(admin, manual_pair[0], EntryValues(period, amount), TODAY)
    assert refused.value.field == field


def test_entries_only_for_manual_indicators(world, define, admin):
    computed = define("letters", "L.1", letter_kind="interest", letter_status="signed")
    with pytest.raises(UserError):
        indicator_admin.save_entry(admin, computed, EntryValues("2025-S1", "1"), TODAY)


def test_a_period_target_changes_achievement_rating_and_light(world, define):
    cooperation = db.session.scalars(select(Indicator).where(Indicator.code == "2.2")).one()  # target 5
    custom = define("letters", "L.1", target="4", letter_kind="interest", letter_status="signed")
    end = D("2025-12-31")  # as of then: 1 cooperation letter, 4 letters of interest
    figures = {f.indicator.code: f for f in indicators.compute_all(end, "2025-S2")}
    assert [(figures[c].achieved, figures[c].rating, figures[c].light) for c in ("2.2", "L.1")] == [
        (Decimal("20.0"), 2, "not_on_track"),
        (Decimal("100.0"), 6, "reached"),
    ]
    indicator_admin.set_period_target(cooperation, "2025-s2", "2")
    indicator_admin.set_period_target(custom, "2025-S2", "10")
    indicator_admin.set_period_target(custom, "2025-S1", "1")  # another period's target changes nothing here
    db.session.commit()
    figures = {f.indicator.code: f for f in indicators.compute_all(end, "2025-S2")}
    assert [
        (figures[c].target, figures[c].achieved, figures[c].rating, figures[c].light) for c in ("2.2", "L.1")
    ] == [
        (Decimal("2.00"), Decimal("50.0"), 4, "on_the_way"),
        (Decimal("10.00"), Decimal("40.0"), 3, "not_on_track"),
    ]
    live = {f.indicator.code: f for f in indicators.compute_all(None)}  # no period: end-of-project targets
    assert (live["2.2"].target, live["L.1"].target) == (Decimal("5.00"), Decimal("4.00"))
    indicator_admin.set_period_target(custom, "2025-S2", "8")  # set again: changed, still one row
    assert custom_indicators.period_targets("2025-S2")[custom.id] == Decimal("8.00")
    for bad_period, bad_target in (("2025-S9", "1"), ("2025-S2", "x"), ("2025-S2", ""), ("2025-S2", "-4")):
        with pytest.raises(UserError):
            indicator_admin.set_period_target(custom, bad_period, bad_target)


def test_freezing_keeps_the_custom_figures_after_the_records_change(world, define, manual_pair, admin):
    signed = define("letters", "L.1", letter_kind="cooperation", letter_status="signed", target="5")
    record = services.freeze("2025-S2", admin.id, TODAY)
    db.session.commit()
    assert record.figures["L.1"]["value"] == "1" and record.figures["L.1"]["rating"] == 2
    assert record.figures["M.1"]["value"] == "25" and record.figures["M.2"]["value"] == "35"
    # A cooperation letter signed in 2025 recorded later, and 2025-S2's value corrected.
    db.session.add(
        Letter(organisation_id=world.ccl.id, kind="cooperation", status="signed", signed_on=D("2025-10-01"))
    )
    indicator_admin.save_entry(admin, manual_pair[0], EntryValues("2025-S2", "27"), TODAY)
    db.session.commit()
    assert value(signed, D("2025-12-31")) == 2 and value(manual_pair[0], D("2025-12-31")) == 27
    stored = db.session.scalars(select(services.FrozenPeriod)).one().figures
    assert (stored["L.1"]["value"], stored["M.1"]["value"]) == ("1", "25")
    with pytest.raises(UserError):  # reported in a frozen period: deactivate instead
        indicator_admin.delete_indicator(signed)
    indicator_admin.set_active(signed, False)
    db.session.commit()
    assert "L.1" not in {f.indicator.code for f in indicators.compute_all(None)}
    assert services.frozen("2025-S2").figures["L.1"]["value"] == "1"


def test_delete_only_what_administrators_added_and_no_frozen_period_reports(world, define, admin):
    added = define("letters", "L.1", letter_kind="interest", letter_status="signed")
    indicator_admin.delete_indicator(added)
    manual = define(None, "M.1", unit="documents")
    indicator_admin.save_entry(admin, manual, EntryValues("2025-S1", "1"), TODAY)
    indicator_admin.set_period_target(manual, "2025-S1", "2")
    db.session.commit()
    indicator_admin.delete_indicator(manual)
    db.session.commit()
    assert db.session.scalars(select(Indicator).where(Indicator.code.in_(("L.1", "M.1")))).first() is None
    assert db.session.scalars(select(IndicatorEntry)).first() is None
    deleted = (
        select(ChangeLog.entity_type).where(ChangeLog.action == "delete").order_by(ChangeLog.entity_type)
    )
    assert db.session.scalars(deleted).all() == [
        "indicator",
        "indicator",
        "indicatorentry",
        "indicatortarget",
    ]
    builtin = db.session.scalars(select(Indicator).where(Indicator.code == "3.1")).one()
    for action in (indicator_admin.delete_indicator, lambda i: indicator_admin.set_active(i, False)):
        with pytest.raises(UserError):
            action(builtin)
    assert builtin.active


PERIODS = [f"{year}-S{half}" for year in range(2020, 2025) for half in (1, 2)]


def period_end(period: str) -> date:
    """Return the last day of a period, written out by hand."""
    year, half = int(period[:4]), period[-1]
    return date(year, 6, 30) if half == "1" else date(year, 12, 31)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.dictionaries(
        st.sampled_from(PERIODS), st.decimals(0, 10**6, places=2, allow_nan=False), max_size=len(PERIODS)
    ),
    day=st.integers(0, 6 * 366).map(lambda n: date(2019, 12, 1) + timedelta(days=n)),
)
def test_manual_values_equal_a_straightforward_computation(app, entries, day):
    try:
        latest = Indicator(code="H.1", name_es="H", name_en="H", unit="documents", kind="manual",
                           aggregation="latest", computed_from="")  # fmt: skip
        summed = Indicator(code="H.2", name_es="H", name_en="H", unit="documents", kind="manual",
                           aggregation="sum", computed_from="")  # fmt: skip
        db.session.add_all([latest, summed])
        db.session.flush()
        for indicator in (latest, summed):
            db.session.add_all(
                IndicatorEntry(indicator_id=indicator.id, period=p, value=v) for p, v in entries.items()
            )
        db.session.flush()
        ended = [p for p in entries if period_end(p) <= day]
        expected_latest = entries[max(ended, key=period_end)] if ended else None
        expected_sum = sum((entries[p] for p in ended), Decimal(0)) if ended else None
        assert custom_indicators.manual(latest, day) == expected_latest
        assert custom_indicators.manual(summed, day) == expected_sum
    finally:
        db.session.rollback()
        db.session.execute(delete(IndicatorEntry))
        db.session.execute(delete(Indicator).where(Indicator.code.in_(("H.1", "H.2"))))
        db.session.commit()

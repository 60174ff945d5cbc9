"""The recruitment funnel against the hand-counted world of tests/reports/conftest.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crm.labels import label
from crm.models import STAGES
from crm.reports import funnel
from crm.reports.filters import ReportFilters

D = date.fromisoformat
FEAR = "Fears that the regulator gains access to process data and finds breaches"
ECONOMY = "Economic situation (pandemic or downturn) leaves no room for investment"
NOT_PRIORITY = "Conversion is not a priority at this time"


def counts(**filters) -> list[int]:
    """Return the funnel counts in stage order."""
    found = funnel.stage_counts(ReportFilters(**filters))
    return [found[stage] for stage in STAGES]


def test_funnel_counts_each_company_once_up_to_the_furthest_stage_it_ever_reached(world):
    # Furthest positions: C1 4, C2 2, C3 5, C4 3, C5 0, C6 1, C7 2 (the ministry is no company).
    # ≥0: all 7 · ≥1: all but C5 = 6 · ≥2: C1 C2 C3 C4 C7 = 5 · ≥3: C1 C3 C4 = 3 · ≥4: C1 C3 = 2 · ≥5: C3
    assert counts() == [7, 6, 5, 3, 2, 1, 0, 0]


def test_exits_and_moving_back_do_not_undo_what_was_reached(world):
    # C2 declined after its meeting and still counts as met; C4 went on hold and came back (counted once).
    assert counts(owner=world.ana.id) == [4, 4, 3, 1, 1, 0, 0, 0]  # C1 C2 C6 C7


def test_programme_filter(world):
    # ZIS only: C7 (PEI only) drops out; C1's PEI engagement changes nothing.
    assert counts(programme=world.zis.id) == [6, 5, 4, 3, 2, 1, 0, 0]
    # PEI: C7 (met) and C1 (identified there).
    assert counts(programme=world.pei.id) == [2, 1, 1, 0, 0, 0, 0, 0]


def test_period_counts_transitions_inside_it(world):
    # 2025-04-01..2025-07-31: C1 loi 04-01, assessed 06-01 (+ PEI identified 05-01) → 4;
    # C3 contacted 05-01, met 05-21, loi 07-01 → 3; C4 met 07-10 → 2; C7 contacted 04-01, met 06-01 → 2;
    # C2's only move is its exit (04-15), which reaches nothing.
    assert counts(date_from=D("2025-04-01"), date_to=D("2025-07-31")) == [4, 4, 4, 2, 1, 0, 0, 0]
    assert counts(date_from=D("2026-01-01")) == [1, 1, 0, 0, 0, 0, 0, 0]  # C6
    assert counts(date_from=D("2026-01-01"), date_to=D("2025-01-01")) == [0] * 8


def test_sector_section_includes_its_divisions(world):
    # Y9 = C3 (section itself) + C1 C2 C6 (division Y91).
    assert counts(sector=world.ref.y9.id) == [4, 4, 3, 2, 2, 1, 0, 0]
    assert counts(sector=world.ref.y91.id) == [3, 3, 2, 1, 1, 0, 0, 0]


def test_association_means_active_member_or_referral_source(world):
    # SNI: active members C1 C2, referred C1 C2 C5; C3 is only a lapsed member.
    assert counts(association=world.sni.id) == [3, 2, 2, 1, 1, 0, 0, 0]
    # CCL: active members C3 C6, referred C3.
    assert counts(association=world.ccl.id) == [2, 2, 1, 1, 1, 1, 0, 0]


def test_district_and_owner_filters(world):
    assert counts(district=world.ref.d2.id) == [2, 2, 2, 2, 1, 1, 0, 0]  # C3 C4
    assert counts(owner=world.beto.id) == [2, 2, 2, 2, 1, 1, 0, 0]  # C3 C4
    assert counts(district=world.ref.d2.id, owner=world.ana.id) == [0] * 8


def test_stage_to_stage_conversion_and_one_in_n(world):
    table = funnel.funnel_table(funnel.stage_counts(ReportFilters()))
    # 6/7, 5/6, 3/5, 2/3, 1/2, 0/1, 0/0
    expected = [None, "85.7", "83.3", "60.0", "66.7", "50.0", "0.0", None]
    assert [row[3] for row in table.rows] == [Decimal(v) if v else None for v in expected]
    assert [row[2] for row in table.rows] == [None, 7, 6, 5, 3, 2, 1, 0]
    headline = funnel.headline_table(funnel.stage_counts(ReportFilters()))
    # 3 letters of interest among 6 contacted: 50 %, one in 2.
    assert headline.rows == [[6, 3, Decimal("50.0"), Decimal("2.0")]]


def test_exits_by_reason_at_the_stage_left_from(world):
    table = funnel.exits_table(ReportFilters(), "en")
    # C6 left from contacted (withdrawn), C2 and C4 from meeting held (declined, on hold).
    assert table.rows == [
        [label("stage", "contacted"), label("stage", "withdrawn"), FEAR, 1],
        [label("stage", "meeting_held"), label("stage", "declined"), ECONOMY, 1],
        [label("stage", "meeting_held"), label("stage", "on_hold"), NOT_PRIORITY, 1],
    ]
    assert table.total[-1] == 3
    in_period = funnel.exits_table(ReportFilters(date_from=D("2025-04-01"), date_to=D("2025-07-31")), "en")
    assert in_period.rows == [[label("stage", "meeting_held"), label("stage", "declined"), ECONOMY, 1]]


def test_funnel_page_shows_chart_tables_and_figures(client, world, en_user, login):
    login(en_user("manager"))
    response = client.get("/reports/funnel")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<svg class="chart"' in html and "Companies that reached each stage" in html
    for shown in ("85.7 %", "83.3 %", "66.7 %", "Exits by reason at each stage", "Technical assistance"):
        assert shown in html
    assert "Economic situation (pandemic or downturn)" in html
    filtered = client.get("/reports/funnel", query_string={"programme": world.pei.id}).get_data(as_text=True)
    assert "85.7 %" not in filtered and "50 %" in filtered  # PEI: 1 contacted of 2 identified

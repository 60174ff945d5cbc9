"""Cohorts by first contact, time in stage (median, 75th percentile) and stalled engagements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crm.reports import cohorts, timing
from crm.reports.filters import ReportFilters

D = date.fromisoformat


def cohort_rows(bucket: str, **filters) -> list[list]:
    """Return [cohort, size, reached meeting, loi, assessed, TA, feasibility, adopting] per cohort."""
    table = cohorts.cohort_table(ReportFilters(**filters), bucket)
    return [[row[0], row[1], *row[2::2]] for row in table.rows]


def test_cohorts_by_quarter_of_first_contact(world):
    # First contact: C1 02-01, C2 02-15 (2025 Q1) · C7 04-01, C3 05-01 (Q2) · C4 07-10, starting at a
    # meeting (Q3) · C6 2026-01-05 (2026 Q1) · C5 never contacted (no cohort).
    assert cohort_rows("quarter") == [
        ["2025 Q1", 2, 2, 1, 1, 0, 0, 0],  # C1 reached assessed, C2 met
        ["2025 Q2", 2, 2, 1, 1, 1, 0, 0],  # C3 reached TA, C7 met
        ["2025 Q3", 1, 1, 1, 0, 0, 0, 0],  # C4 signed
        ["2026 Q1", 1, 0, 0, 0, 0, 0, 0],  # C6 withdrew
    ]


def test_cohorts_by_month_and_period_of_first_contact(world):
    assert [r[:2] for r in cohort_rows("month")] == [
        ["2025-02", 2],
        ["2025-04", 1],
        ["2025-05", 1],
        ["2025-07", 1],
        ["2026-01", 1],
    ]
    # The period picks cohorts by first contact; how far they got still counts later moves (C3's TA).
    assert cohort_rows("quarter", date_from=D("2025-04-01"), date_to=D("2025-06-30")) == [
        ["2025 Q2", 2, 2, 1, 1, 1, 0, 0]
    ]
    shares = cohorts.cohort_table(ReportFilters(), "quarter").rows[0]
    assert shares[3] == Decimal("100.0") and shares[5] == Decimal("50.0")  # 2 of 2 met, 1 of 2 signed


def timing_rows(**filters) -> dict[str, list]:
    """Return {stage label: [finished stays, median, p75]}."""
    table = timing.timing_table(ReportFilters(**filters))
    return {row[0]: row[1:] for row in table.rows}


def test_median_and_75th_percentile_days_per_stage(world):
    from crm.labels import label

    rows = timing_rows()
    # identified: C1 22 (01-10→02-01), C3 61 (03-01→05-01) → median 22 + .5×39 = 41.5, p75 22 + .75×39 = 51.25
    assert rows[label("stage", "identified")] == [2, Decimal("41.5"), Decimal("51.25")]
    # contacted: C3 20, C1 28, C2 28, C6 31, C7 61 → ranks 3 and 4 exactly
    assert rows[label("stage", "contacted")] == [5, Decimal("28"), Decimal("31")]
    # meeting held: C1 31, C2 31, C4 31 and 61 (it came back), C3 41 → 31 and 41
    assert rows[label("stage", "meeting_held")] == [5, Decimal("31"), Decimal("41")]
    # letter of interest: C3 31, C1 61 → 46 and 31 + .75×30 = 53.5
    assert rows[label("stage", "loi_signed")] == [2, Decimal("46"), Decimal("53.5")]
    assert rows[label("stage", "assessed")] == [1, Decimal("61"), Decimal("61")]  # C3 08-01→10-01
    assert rows[label("stage", "technical_assistance")] == [0, None, None]  # C3 is still there
    assert rows[label("stage", "on_hold")] == [1, Decimal("31"), Decimal("31")]  # C4 08-10→09-10


def test_period_keeps_stays_that_began_in_it(world):
    from crm.labels import label

    # Stays begun in 2025-05: C3 contacted 05-01 (20 days) and met 05-21 (41 days).
    rows = timing_rows(date_from=D("2025-05-01"), date_to=D("2025-05-31"))
    assert rows[label("stage", "contacted")] == [1, Decimal("20"), Decimal("20")]
    assert rows[label("stage", "meeting_held")] == [1, Decimal("41"), Decimal("41")]
    assert rows[label("stage", "identified")] == [0, None, None]


def test_stalled_engagements_are_those_past_their_stage_75th_percentile(world):
    # On 2026-03-01: C1 PEI identified since 2025-05-01 (304 days > 51.25); C1 ZIS assessed since
    # 2025-06-01 (273 > 61); C7 met since 2025-06-01 (273 > 41); C5 identified since 2025-09-01
    # (181 > 51.25); C4 letter since 2025-11-10 (20 + 31 + 31 + 28 + 1 = 111 > 53.5).
    # C3 (TA) has no finished stays to compare with; C2 and C6 left the pipeline.
    table = timing.stalled_table(ReportFilters(), D("2026-03-01"), None, 25)
    assert [(r[0], r[1], r[4]) for r in table.rows] == [
        ("Fundición Uno", "PEI", 304),
        ("Fundición Uno", "ZIS-CALLAO", 273),
        ("Vidrio Siete", "PEI", 273),
        ("Plásticos Cinco", "ZIS-CALLAO", 181),
        ("Química Cuatro", "ZIS-CALLAO", 111),
    ]
    assert [r[5] for r in table.rows] == [
        Decimal("51.25"),
        Decimal("61"),
        Decimal("41"),
        Decimal("51.25"),
        Decimal("53.5"),
    ]
    # On 2025-12-01 C4 has been at its letter for 21 days only (not > 53.5).
    earlier = timing.stalled_table(ReportFilters(), D("2025-12-01"), None, 25)
    assert "Química Cuatro" not in [r[0] for r in earlier.rows]
    owned = timing.stalled_table(ReportFilters(owner=world.beto.id), D("2026-03-01"), None, 25)
    assert [r[0] for r in owned.rows] == ["Química Cuatro"]


def test_stalled_list_is_paginated_on_the_page(client, world, en_user, login, app):
    login(en_user("manager"))
    app.config["PAGE_SIZE"] = 2
    try:
        first = client.get("/reports/timing").get_data(as_text=True)
        third = client.get("/reports/timing", query_string={"page": 3}).get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 25
    assert "5 results · page 1 of 3" in first and "Fundición Uno" in first
    assert "page 3 of 3" in third and "Química Cuatro" in third and "Vidrio Siete" not in third
    assert f'href="/organisations/{world.c.c4.id}"' in third

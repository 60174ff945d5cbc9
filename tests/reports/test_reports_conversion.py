"""Conversion by sector and by the other dimensions, with sorting, against hand counts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from crm.reports.conversion import conversion_table, parse_sort
from crm.reports.filters import ReportFilters


@pytest.fixture(autouse=True)
def _english():
    """Labels and messages built outside a request are checked in English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


D = date.fromisoformat
NONE = None  # a conversion with nobody contacted has no value


def table(dimension: str, sort: str = "group", **filters) -> list[list]:
    """Return the rows of a conversion table as [group, contacted, loi, conversion, assessed+] (the
    interval column, tested on its own, left out)."""
    built = conversion_table(ReportFilters(**filters), dimension, sort, "en")
    return [without_interval(r) for r in built.rows]


def without_interval(row: list) -> list:
    """Drop the 95 % interval column (the fifth) from a row."""
    return row[:4] + row[5:]


def pct(value: str | None) -> Decimal | None:
    """Return an expected percentage."""
    return None if value is None else Decimal(value)


def test_by_sector_section_counts_divisions_in_their_section(world):
    # Y9: C1(4) C2(2) C3(5) C6(1) → contacted 4, loi C1 C3 = 2, assessed+ C1 C3 = 2
    # Y8: C4(3) C7(2) → contacted 2, loi 1, assessed+ 0 · no sector: C5(0) → nothing contacted
    assert table("sector") == [
        ["Y8 – Section Eight", 2, 1, pct("50.0"), 0],
        ["Y9 – Section Y", 4, 2, pct("50.0"), 2],
        ["No sector recorded", 0, 0, NONE, 0],
    ]


def test_total_row_counts_distinct_companies(world):
    found = conversion_table(ReportFilters(), "sector", "group", "en")
    assert found.total == ["All companies", 6, 3, pct("50.0"), "18.8–81.2 % (small sample)", 2]


def test_by_division_and_sorting_by_conversion(world):
    # Y91: C1 C2 C6 → 3 contacted, 1 loi (33.3 %), 1 assessed · Y9 itself: C3 → 1, 1, 100 %, 1
    rows = table("division", "-conversion")
    assert rows == [
        ["Y9 – Section Y", 1, 1, pct("100.0"), 1],
        ["Y8 – Section Eight", 2, 1, pct("50.0"), 0],
        ["Y91 – Foundries Y", 3, 1, pct("33.3"), 1],
        ["No sector recorded", 0, 0, NONE, 0],
    ]
    ascending = table("division", "conversion")
    assert [r[0] for r in ascending] == [
        "Y91 – Foundries Y",
        "Y8 – Section Eight",
        "Y9 – Section Y",
        "No sector recorded",
    ]
    assert [r[1] for r in table("division", "-contacted")] == [3, 2, 1, 0]


def test_by_referring_association_groups_each_engagement(world):
    # SNI referred C1(4) C2(2) C5(0); CCL referred C3(5); not referred: C4(3) C6(1) C7(2) and C1's PEI
    # engagement (identified only, so it adds nothing contacted).
    assert table("source") == [
        ["Cámara de Comercio de Lima", 1, 1, pct("100.0"), 1],
        ["Sociedad Nacional de Industrias", 2, 1, pct("50.0"), 1],
        ["Not referred by an association", 3, 1, pct("33.3"), 0],
    ]


def test_by_referring_association_over_a_period_totals_each_company_at_its_furthest_stage(world):
    # C1 counts once in the total at its furthest stage (assessed, through SNI's ZIS engagement), not at
    # its unreferred PEI engagement's "identified"; the same total as every company's without a period.
    built = conversion_table(ReportFilters(date_from=D("2000-01-01")), "source", "group", "en")
    assert [without_interval(r) for r in built.rows] == table("source")
    assert without_interval(built.total) == ["All companies", 6, 3, pct("50.0"), 2]


def test_by_membership_counts_active_members_only(world):
    # SNI active: C1 C2 · CCL active: C3 C6 (C3's lapsed SNI membership does not count) · none: C4 C5 C7
    assert table("membership") == [
        ["Cámara de Comercio de Lima", 2, 1, pct("50.0"), 1],
        ["Sociedad Nacional de Industrias", 2, 1, pct("50.0"), 1],
        ["Not an active member of an association", 2, 1, pct("50.0"), 0],
    ]


def test_by_district_size_and_owner(world):
    # D1: C1 C2 C6 C7 → 4 contacted, loi C1, assessed C1 · D2: C3 C4 → 2, 2, assessed C3
    assert table("district") == [
        ["Distrito Dos", 2, 2, pct("100.0"), 1],
        ["Distrito Uno", 4, 1, pct("25.0"), 1],
        ["No district recorded", 0, 0, NONE, 0],
    ]
    # micro none · small C2 C6 · medium C1 C4 · large C3 C7, in size order
    assert [r[1:] for r in table("size")] == [
        [2, 0, pct("0.0"), 0],
        [2, 2, pct("100.0"), 1],
        [2, 1, pct("50.0"), 1],
        [0, 0, NONE, 0],
    ]
    assert table("owner") == [
        ["Ana Owner", 4, 1, pct("25.0"), 1],
        ["Beto Owner", 2, 2, pct("100.0"), 1],
        ["No owner", 0, 0, NONE, 0],
    ]


def test_dimensions_respect_the_filters(world):
    # ZIS only and period 2025: C7 (PEI) and C6 (2026) drop out of D1.
    rows = table("district", programme=world.zis.id, date_to=D("2025-12-31"))
    assert rows[:2] == [["Distrito Dos", 2, 2, pct("100.0"), 1], ["Distrito Uno", 2, 1, pct("50.0"), 1]]


@pytest.mark.parametrize("raw", ["-nonsense", "group; DROP TABLE x", "--contacted", "", None, "label"])
def test_sort_is_whitelisted(raw):
    assert parse_sort(raw) == "-contacted"


def test_conversion_page_sorts_server_side_and_shows_numerators(client, world, en_user, login):
    login(en_user("manager"))
    response = client.get("/reports/conversion", query_string={"by": "division", "sort": "-conversion"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    texts = re.findall(r"<td class=\"\">([^<]+)</td>", body)
    groups = [t for t in texts if "%" not in t and t != "—"]
    assert groups == ["Y9 – Section Y", "Y8 – Section Eight", "Y91 – Foundries Y", "No sector recorded"]
    assert "20.7–100.0 % (small sample)" in texts  # 1 of 1 is flagged, with its Wilson interval
    assert "Wilson" in html  # the definition of the rate is on the page
    assert "33.3 % (1/3)" in html  # the chart shows numerator and denominator
    assert "Company size" in html and "Referring association" in html
    sizes = client.get("/reports/conversion", query_string={"by": "size"}).get_data(as_text=True)
    assert sizes.index(">Small<") < sizes.index(">Medium<") < sizes.index(">Large<")

"""The co-finance annex: hand-counted fixture letters, and the funder's mid-term table loaded as letters."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from crm.letters.cofinance import load_commitments
from crm.reports import cofinance
from crm.reports.filters import ReportFilters

D = date.fromisoformat
# The repository keeps a copy of shared/data/cofinance_commitments_2021.csv (CI has only the repository).
MIDTERM = Path(__file__).resolve().parents[2] / "crm" / "demo" / "data" / "cofinance_commitments_2021.csv"


def money(*values: str) -> list[Decimal]:
    """Return expected amounts with cents."""
    return [Decimal(v).quantize(Decimal("0.01")) for v in values]


def test_annex_per_cofinancier_in_recorded_order_with_total(money_world):
    table = cofinance.annex_table(ReportFilters())
    # SNI 1000 committed, 200 + 300 materialised · C1 5000, 6000 delivered (pending -1000) ·
    # ministry 2500.50, nothing yet. C1's requested (unsigned) letter of 100 is no commitment.
    assert [[r[0], *r[3:]] for r in table.rows] == [
        ["Sociedad Nacional de Industrias", *money("1000", "500", "500")],
        ["Fundición Uno", *money("5000", "6000", "-1000")],
        ["Ministerio de Prueba", *money("2500.50", "0", "2500.50")],
    ]
    assert table.total[3:] == money("8500.50", "6500", "2000.50")


def test_sums_by_cofinancier_type_and_cofinance_type(money_world):
    by_who = cofinance.by_type_table(ReportFilters(), "cofinancier_type")
    # government 2500.50 · industrial association 1000/500 · private 5000/6000
    assert [r[1:] for r in by_who.rows] == [
        money("2500.50", "0", "2500.50"),
        money("1000", "500", "500"),
        money("5000", "6000", "-1000"),
    ]
    by_kind = cofinance.by_type_table(ReportFilters(), "cofinance_type")
    # equity: C1 · in kind: SNI + ministry = 3500.50 committed, 500 materialised
    assert [r[1:] for r in by_kind.rows] == [
        money("5000", "6000", "-1000"),
        money("3500.50", "500", "3000.50"),
    ]
    assert by_kind.total[1:] == money("8500.50", "6500", "2000.50")


def test_period_takes_letters_signed_in_it_and_materialisations_up_to_its_end(money_world):
    # Up to 2025-06-30: SNI (signed 03-01, 200 paid by then) and C1 (signed 05-01, 6000 paid 06-01).
    table = cofinance.annex_table(ReportFilters(date_to=D("2025-06-30")))
    assert table.total[3:] == money("6000", "6200", "-200")
    # Company filters apply to the co-financier: owner Ana owns C1 only.
    owned = cofinance.annex_table(ReportFilters(owner=money_world.ana.id))
    assert [r[0] for r in owned.rows] == ["Fundición Uno"] and owned.total[3:] == money(
        "5000", "6000", "-1000"
    )


def test_midterm_table_loaded_as_letters_reproduces_the_funders_totals(app, make_user):
    user = make_user("admin")
    with open(MIDTERM, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    load_commitments(rows, user.id, date(2021, 6, 30))
    from crm.extensions import db

    db.session.commit()
    annex = cofinance.annex_table(ReportFilters())
    assert annex.total[3:] == money("52029264", "9737523", "42291741")
    assert len(annex.rows) == 40  # ONUDI appears twice: a grant and an in-kind commitment
    onudi = [r for r in annex.rows if r[0] == "ONUDI"]
    assert [r[3] for r in onudi] == money("125000", "200000")
    by_who = {r[0]: r[1:] for r in cofinance.by_type_table(ReportFilters(), "cofinancier_type").rows}
    # government: MINAM 510000 + MTC 35825704 + PRODUCE 1014000; materialised 8174550 + 698292
    government = [v for k, v in by_who.items() if v[0] == Decimal("37349704.00")]
    assert government == [money("37349704", "8872842", "28476862")]


def test_cofinance_page_shows_the_annex_with_its_total(client, money_world, en_user, login):
    login(en_user("manager"))
    html = client.get("/reports/cofinance").get_data(as_text=True)
    assert "Co-finance by co-financier" in html and "Source of co-finance" in html
    assert "8,500.5" in html and "-1,000" in html and "2,000.5" in html

"""CSV and XLSX exports of report tables, opened and read back; formula injection neutralised."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from crm.exports.writer import neutralise, to_csv, to_xlsx
from crm.extensions import db
from crm.models import Organisation

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tcmd", "\rcmd"]


def test_neutralise_prefixes_formula_starts_only_on_text():
    assert [neutralise(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert neutralise("Fundición = SAC") == "Fundición = SAC"
    assert neutralise(-5) == -5 and neutralise(Decimal("-1.5")) == Decimal("-1.5")


def test_to_csv_and_to_xlsx_keep_raw_numbers_and_dates_and_defuse_text():
    rows = [[v, -1000, Decimal("2.50"), date(2026, 1, 31)] for v in HOSTILE]
    parsed = list(csv.reader(io.StringIO(to_csv(["=name", "n", "d", "day"], rows))))
    assert parsed[0] == ["'=name", "n", "d", "day"]
    assert parsed[1] == ["'" + HOSTILE[0], "-1000", "2.50", "2026-01-31"]
    book = load_workbook(io.BytesIO(to_xlsx(["=name", "n", "d", "day"], rows, title="A/B: [test]")))
    sheet = book.active
    assert sheet.title == "A B   test"
    assert sheet["A1"].value == "'=name"
    for index, value in enumerate(HOSTILE[:-1], start=2):
        cell = sheet.cell(index, 1)
        assert cell.data_type == "s" and cell.value == "'" + value
    assert sheet.cell(len(HOSTILE) + 1, 1).value == "'\ncmd"  # XML stores CR as a line break, still defused
    assert sheet["B2"].value == -1000 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == 2.5 and sheet["D2"].value.date() == date(2026, 1, 31)


def test_conversion_export_matches_the_page_table(client, world, en_user, login):
    login(en_user("manager"))
    args = {"by": "division", "sort": "-conversion", "page": "2"}
    response = client.get("/reports/export/conversion/conversion.csv", query_string=args)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == [
        "Sector (ISIC division)",
        "Contacted",
        "Letter of interest signed",
        "Conversion (%)",
        "Interval (95 %)",
    ] + ["Assessed or further"]
    small = "(small sample)"
    assert lines[1:] == [
        ["Y9 – Section Y", "1", "1", "100.0", f"20.7–100.0 % {small}", "1"],
        ["Y8 – Section Eight", "2", "1", "50.0", f"9.5–90.5 % {small}", "0"],
        ["Y91 – Foundries Y", "3", "1", "33.3", f"6.1–79.2 % {small}", "1"],
        ["No sector recorded", "0", "0", "", "—", "0"],
        ["All companies", "6", "3", "50.0", f"18.8–81.2 % {small}", "2"],
    ]
    xlsx = client.get("/reports/export/conversion/conversion.xlsx", query_string=args)
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[2]] == ["Y9 – Section Y", 1, 1, 100, f"20.7–100.0 % {small}", 1]
    assert sheet.cell(sheet.max_row, 2).value == 6


def test_hostile_names_are_defused_in_exports(client, money_world, en_user, login):
    login(en_user("manager"))
    sni = db.session.get(Organisation, money_world.sni.id)
    sni.legal_name = '=HYPERLINK("http://evil.example","click")'
    db.session.commit()
    response = client.get("/reports/export/cofinance/annex.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]
    assert names[0] == "'" + sni.legal_name and sheet.cell(2, 1).data_type == "s"
    assert sheet.cell(2, 4).value == 1000 and sheet.cell(sheet.max_row, 6).value == 2000.5
    text = client.get("/reports/export/cofinance/annex.csv").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text)))[1][0] == "'" + sni.legal_name


def test_every_table_of_every_report_exports(client, money_world, en_user, login):
    from crm.reports.registry import REPORTS

    login(en_user("manager"))
    tables = {
        "funnel": ["headline", "funnel", "exits"],
        "conversion": ["conversion"],
        "cohorts": ["cohorts"],
        "timing": ["time_in_stage", "stalled"],
        "cofinance": ["annex", "by_cofinancier_type", "by_cofinance_type"],
        "indicators": ["indicators"],
        "events": ["events"],
        "trends": ["trends"],
    }
    assert set(tables) == set(REPORTS)
    for name, keys in tables.items():
        for key in keys:
            for fmt in ("csv", "xlsx"):
                response = client.get(f"/reports/export/{name}/{key}.{fmt}")
                assert response.status_code == 200, (name, key, fmt)
            assert load_workbook(io.BytesIO(response.data)).active.max_row >= 1
    assert client.get("/reports/export/funnel/nothing.csv").status_code == 404
    assert client.get("/reports/export/funnel/funnel.pdf").status_code == 404

"""Freezing a period freezes every report: the tables as reported, today's figures beside, one workbook.

The period frozen is 2025-S1 (2025-01-01 … 2025-06-30) of the world in tests/reports/conftest.py,
worked out by hand:

- funnel, transitions inside the period: C1 ZIS reached assessed (4), C2 and C3 met (2; C3's letter is
  07-01), C7 met (2); C4, C5 and C6 moved later. Contacted 4, letter of interest 1 → 25 %, one in 4.
  Exits: C2 declined after its meeting (04-15, economic situation): 1.
- co-finance signed in the period: SNI 1000 (200 paid by 06-30; the 300 of 09-01 is later) and C1 5000
  (6000 paid): committed 6000, materialised 6200, pending -200. The ministry's (08-01) is later.
- events held in the period: E1 (awareness, 03-10) with P1 (female), P2 (male), P3 (not recorded):
  1 event, 3 people, 1 woman among 2 with a recorded gender → 50 %.

Then, recorded afterwards but dated inside the period: C7 declines on 2025-06-20 (economic situation),
P6 (male) attended E1, and SNI's commitment becomes 1500. Live: 2 exits; 4 people, 1 woman among 3 →
33.3 %; committed 6500, pending 300. The frozen figures stay, the live ones appear beside them.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm.clock import today
from crm.extensions import db
from crm.models import Attendance, Engagement, Event, FrozenPeriod, Letter, utcnow
from crm.pipeline import services as pipeline
from crm.reports import compare, frozen
from crm.reports.tables import Column, Table
from tests.reports.conftest import barrier

D = date.fromisoformat
PAGE = "/reports/indicators"
WORKBOOK = "/reports/export/indicators/period.xlsx"
LIVE = re.compile(r' <span class="live-value muted">\((?:[^<]|<span class="muted">—</span>)*\)</span>')


@pytest.fixture
def frozen_world(client, money_world, event_world, en_user, login):
    """Freeze 2025-S1 as an English-speaking manager; return the world and the page as shown then."""
    login(en_user("manager"))
    assert client.post("/reports/indicators/freeze", data={"period": "2025-S1"}).status_code == 302
    money_world.page = client.get(PAGE, query_string={"period": "2025-S1"}).get_data(as_text=True)
    return money_world


def change_the_period(world, people) -> None:
    """Record, dated inside 2025-S1, an exit, an attendance and a bigger co-finance commitment."""
    c7 = db.session.scalars(select(Engagement).where(Engagement.organisation_id == world.c.c7.id)).one()
    exit_move = pipeline.Move(
        "declined", D("2025-06-20"), barrier_id=barrier("economic_situation").id, note="No budget"
    )
    pipeline.move(c7, exit_move, None, today())
    e1 = db.session.scalars(select(Event).where(Event.title == "E1")).one()
    db.session.add(Attendance(event_id=e1.id, contact_id=people[5].id))
    of_sni = (Letter.organisation_id == world.sni.id) & (Letter.kind == "cofinance")
    sni = db.session.scalars(select(Letter).where(of_sni)).one()
    sni.amount = sni.amount_usd = Decimal("1500")
    db.session.commit()


def frozen_part(html: str) -> str:
    """Return the frozen reports of a page without the live values shown beside them."""
    part = html[html.index('id="frozen-reports"') : html.index('class="printed-on"')]
    return LIVE.sub("", part)


def row_of(html: str, section: str, first_cell: str) -> list[str]:
    """Return the cells (tags removed) of the row starting with a text, in a frozen table."""
    part = html[html.index(f'id="frozen-{section}"') :]
    start = part.index(f">{first_cell}<")
    row = part[part.rindex("<tr", 0, start) : part.index("</tr>", start)]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells]


def stored_table(record: FrozenPeriod, report: str, table: str) -> dict:
    """Return one stored table of a frozen period, in English."""
    reports = {r["key"]: r for r in record.figures["_reports"]["en"]}
    return next(t for t in reports[report]["tables"] if t["key"] == table)


def test_freezing_stores_every_report_as_plain_json(frozen_world):
    record = db.session.scalars(select(FrozenPeriod)).one()
    figures = record.figures
    assert figures["_version"] == 2 and figures["_filters"] == {"from": "2025-01-01", "to": "2025-06-30"}
    assert [r["key"] for r in figures["_reports"]["es"]] == frozen.frozen_report_names()
    assert figures["2.2"]["value"] == "1"  # the indicators keep their place (SNI's letter of 2025-02-01)
    headline = stored_table(record, "funnel", "headline")
    assert headline["rows"] == [[4, 1, "25.0", "4.0"]]
    funnel = stored_table(record, "funnel", "funnel")
    assert [row[1] for row in funnel["rows"]] == [4, 4, 4, 1, 1, 0, 0, 0]
    annex = stored_table(record, "cofinance", "annex")
    assert [row[3:] for row in annex["rows"]] == [
        ["1000.00", "200.00", "800.00"],
        ["5000.00", "6000.00", "-1000.00"],
    ]
    assert annex["total"] == ["Total", "", "", "6000.00", "6200.00", "-200.00"]
    events = stored_table(record, "events", "events")
    assert events["rows"] == [["Awareness event", 1, 0, 3, 1, 2, "50.0"]]
    spanish = {r["key"]: r for r in figures["_reports"]["es"]}["events"]["tables"][0]
    assert spanish["rows"][0][0] == "Evento de sensibilización" and spanish["columns"][0]["title"] == "Tipo"


def test_after_changes_the_frozen_page_keeps_its_figures_and_shows_the_live_ones_beside(
    client, frozen_world, event_world
):
    assert 'class="live-value' not in frozen_world.page  # nothing had changed when it was frozen
    change_the_period(frozen_world, event_world.people)
    html = client.get(PAGE, query_string={"period": "2025-S1"}).get_data(as_text=True)
    assert frozen_part(html) == frozen_part(frozen_world.page)  # reprinted identically
    assert row_of(html, "funnel-exits", "Meeting held") == [
        "Meeting held",
        "Declined",
        "Economic situation (pandemic or downturn) leaves no room for investment",
        "1 (today: 2)",
    ]
    assert row_of(html, "funnel-headline", "4") == ["4", "1", "25 %", "4"]  # the exit reaches nothing
    assert row_of(html, "events-events", "Awareness event") == [
        "Awareness event", "1", "0", "3 (today: 4)", "1", "2 (today: 3)", "50 % (today: 33.3 %)",
    ]  # fmt: skip
    assert row_of(html, "cofinance-annex", "Sociedad Nacional de Industrias")[3:] == [
        "1,000 (today: 1,500)", "200", "800 (today: 1,300)",
    ]  # fmt: skip
    total = re.findall(
        r"<td[^>]*>(.*?)</td>", html[html.index('id="frozen-cofinance-annex"') :].split("<tfoot>")[1]
    )
    assert [" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in total[3:6]] == [
        "6,000 (today: 6,500)", "6,200", "-200 (today: 300)",
    ]  # fmt: skip
    record = db.session.scalars(select(FrozenPeriod)).one()
    assert stored_table(record, "cofinance", "annex")["total"][3] == "6000.00"


def test_the_frozen_page_is_in_the_readers_language(client, frozen_world, event_world, make_user, login):
    change_the_period(frozen_world, event_world.people)
    client.post("/auth/logout")
    login(make_user("viewer"))  # Spanish
    html = client.get(PAGE, query_string={"period": "2025-S1"}).get_data(as_text=True)
    assert "Evento de sensibilización" in html and "(hoy: 4)" in html


def test_the_workbook_has_a_sheet_per_table_numbers_as_numbers_and_the_about_sheet(
    client, frozen_world, event_world
):
    change_the_period(frozen_world, event_world.people)
    response = client.get(WORKBOOK, query_string={"period": "2025-S1"})
    assert response.status_code == 200
    assert 'filename="period-2025-S1.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "Results framework" and book.sheetnames[-1] == "About"
    assert (
        "Co-finance by co-financier" in book.sheetnames and "Exits by reason at each stage" in book.sheetnames
    )
    annex = book["Co-finance by co-financier"]
    assert annex.freeze_panes == "A2" and annex.column_dimensions["A"].width > 10
    assert [c.value for c in annex[2]][3:] == [1000, 200, 800]  # frozen, not today's 1500
    assert [c.value for c in annex[4]] == ["Total", None, None, 6000, 6200, -200]
    headline = book["Contacted → letter of interest"]
    assert [c.value for c in headline[2]] == [4, 1, 25, 4]
    assert isinstance(headline["C2"].value, int | float)
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Table"] == "Reporting period 2025-S1, frozen" and about["From"] == "Jan 1, 2025"
    assert about["Sheet “Co-finance by co-financier”"] == "Co-finance · Co-finance by co-financier"


def test_an_old_frozen_row_with_indicators_only_still_renders_and_exports(client, world, en_user, login):
    old = {"2.2": {"name_es": "Cartas", "name_en": "Letters", "unit": "n", "value": "1", "target": "5",
                   "percent": "20", "rating": 2, "light": "not_on_track", "projected": None}}  # fmt: skip
    db.session.add(FrozenPeriod(period="2024-S2", frozen_at=utcnow(), figures=old))
    db.session.commit()
    login(en_user("viewer"))
    html = client.get(PAGE, query_string={"period": "2024-S2"}).get_data(as_text=True)
    assert "as reported for 2024-S2" in html and "only the indicators above were stored" in html
    cells = row_of(html.replace('id="indicators"', 'id="frozen-old"'), "old", "2.2")
    assert cells[:6] == ["2.2", "Letters", "n", "5", "1", "20 %"]
    book = load_workbook(io.BytesIO(client.get(WORKBOOK, query_string={"period": "2024-S2"}).data))
    assert book.sheetnames == ["Results framework", "About"]
    assert [c.value for c in book["Results framework"][2]][:5] == ["2.2", "Letters", "n", 5, 1]
    figures = frozen.read(old)
    assert figures.indicators == old and figures.reports == {} and figures.version == 1


@pytest.mark.parametrize("role", ["admin", "manager", "staff", "viewer", "liaison"])
def test_every_role_reads_the_frozen_period_and_the_liaison_never(
    client, frozen_world, make_user, login, role
):
    client.post("/auth/logout")
    login(make_user(role))
    page = client.get(PAGE, query_string={"period": "2025-S1"})
    workbook = client.get(WORKBOOK, query_string={"period": "2025-S1"})
    expected = 404 if role == "liaison" else 200
    assert (page.status_code, workbook.status_code) == (expected, expected)
    if role != "liaison":
        assert "Descargar el período completo (XLSX)" in page.get_data(as_text=True)


def test_a_period_not_frozen_has_no_workbook(client, world, en_user, login):
    login(en_user("manager"))
    assert client.get(WORKBOOK, query_string={"period": "2025-S1"}).status_code == 404
    assert client.get(WORKBOOK, query_string={"period": "nonsense"}).status_code == 404
    assert (
        client.get("/reports/export/indicators/period.csv", query_string={"period": "2025-S1"}).status_code
        == 404
    )


def test_rows_are_matched_on_their_names_and_new_rows_are_marked():
    columns = [Column("group", "Group", "text"), Column("n", "N"), Column("pct", "Share", "pct")]
    frozen_table = Table("t", "T", columns, [["A", 1, Decimal("50.0")], ["B", 2, None]], ["Total", 3, None])
    live = Table(
        "t", "T", columns, [["C", 4, None], ["B", 3, None], ["A", 1, Decimal("50.00")]], ["Total", 8, None]
    )
    shown = compare.compare(frozen_table, live)
    assert [[(c.value, c.live if c.changed else "=") for c in row.cells] for row in shown.rows] == [
        [("A", "="), (1, "="), (Decimal("50.0"), "=")],  # 50.0 and 50.00 are the same figure
        [("B", "="), (2, 3), (None, "=")],
        [("C", "="), (None, 4), (None, "=")],
    ]
    assert [row.added for row in shown.rows] == [False, False, True]
    assert [(c.value, c.changed) for c in shown.total.cells] == [("Total", False), (3, True), (None, False)]
    alone = compare.compare(frozen_table, None)
    assert not alone.compared and not any(c.changed for row in alone.rows for c in row.cells)


def test_the_stalled_list_is_kept_as_on_the_day_of_the_freeze(client, frozen_world):
    html = client.get(PAGE, query_string={"period": "2025-S1"}).get_data(as_text=True)
    stalled = html[html.index('id="frozen-timing-stalled"') :]
    assert "Kept as on the day of the freeze" in stalled[: stalled.index("</section>")]

"""The indicators' pages: an administrator defines indicators, staff enter manual values with evidence,
targets per period; bad input gets a clear message (in Spanish by default) and changes nothing; the new
indicators reach the report, the CSV export, the period workbook and the API."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from crm.api import tokens
from crm.extensions import db
from crm.models import ChangeLog, Indicator, IndicatorEntry, IndicatorTarget
from crm.reports import indicator_admin
from crm.reports.indicator_admin import EntryValues, IndicatorValues

D = date.fromisoformat
PDF = b"%PDF-1.4\n% acta de aprobacion\n"


def count(model) -> int:
    """Return how many rows a table holds."""
    return db.session.scalar(select(func.count()).select_from(model))


def by_code(code: str) -> Indicator | None:
    """Return an indicator by code."""
    return db.session.scalars(select(Indicator).where(Indicator.code == code)).first()


def described(code: str, **extra) -> dict[str, str]:
    """Return the fields of the indicator form."""
    return {"code": code, "name_es": "Instrumentos", "name_en": "Instruments", "unit": "instruments", **extra}


@pytest.fixture
def manual(make_user):
    """A manual indicator (latest entry) an administrator added, with no entries."""
    values = IndicatorValues("4.1", "Instrumentos de política", "Policy instruments", "instruments", None,
                             "6", "manual", aggregation="latest")  # fmt: skip
    indicator = indicator_admin.create_indicator(make_user("admin"), values)
    db.session.commit()
    return indicator


def test_admin_adds_a_computed_indicator_choosing_its_measure(client, world, make_user, login):
    login(make_user("admin"))  # Spanish
    chooser = client.get("/reports/indicators/admin/new").get_data(as_text=True)
    assert "Cartas por tipo y estado" in chooser and "kind=manual" in chooser
    page = client.get("/reports/indicators/admin/new?measure=letters").get_data(as_text=True)
    assert 'name="letter_kind"' in page and 'name="stage"' not in page and 'name="money"' not in page
    form = described("3.9", letter_kind="interest", letter_status="signed", letters_count="organisations")
    response = client.post("/reports/indicators/admin/new?measure=letters", data=form)
    assert response.status_code == 302
    added = by_code("3.9")
    assert (added.kind, added.measure, added.params) == (
        "computed",
        "letters",
        {"letter_kind": "interest", "letter_status": "signed", "letters_count": "organisations"},
    )
    assert added.position > 20  # after the framework's indicators
    html = client.get("/reports/indicators").get_data(as_text=True)
    row = html[html.index(">3.9<") : html.index("</tr>", html.index(">3.9<"))]
    assert "Instrumentos" in row and "instrumentos de política" in row and ">3<" in row  # C1, C3, C4
    change = db.session.scalars(select(ChangeLog).where(ChangeLog.entity_type == "indicator")).one()
    assert change.action == "create" and change.changes["code"] == [None, "3.9"]


def test_an_unknown_stage_is_refused_in_spanish_and_nothing_is_added(client, world, make_user, login):
    login(make_user("admin"))
    before = count(Indicator)
    form = described("3.9", stage="bogus", count_by="organisations")
    response = client.post("/reports/indicators/admin/new?measure=stage_reached", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "«bogus» no es un valor conocido de «Etapa alcanzada»" in html.replace("“", "«").replace("”", "»")
    assert 'value="Instrumentos"' in html  # what was typed is kept
    taken = client.post("/reports/indicators/admin/new?kind=manual", data=described("3.1", aggregation="sum"))
    assert taken.status_code == 400 and "El código 3.1 ya lo usa otro indicador." in taken.get_data(
        as_text=True
    )
    odd = client.post(
        "/reports/indicators/admin/new?kind=manual", data=described("4.2", aggregation="median")
    )
    assert odd.status_code == 400
    assert count(Indicator) == before
    assert db.session.scalar(select(func.count()).where(ChangeLog.entity_type == "indicator")) == 0


@pytest.mark.parametrize("role", ["viewer", "staff", "manager"])
def test_only_administrators_define_indicators(client, world, manual, make_user, login, role):
    login(make_user(role))
    before = count(Indicator)
    assert client.get("/reports/indicators/admin/new").status_code == 404
    response = client.post(
        "/reports/indicators/admin/new?kind=manual", data=described("9.9", aggregation="sum")
    )
    assert response.status_code == 404
    assert client.post(f"/reports/indicators/admin/{manual.id}/delete").status_code == 404
    assert (
        client.post(f"/reports/indicators/admin/{manual.id}/edit", data=described("4.1")).status_code == 404
    )
    assert count(Indicator) == before and by_code("4.1").name_es == "Instrumentos de política"


def test_staff_enter_values_with_evidence_and_the_history_records_them(
    client, world, manual, make_user, login, app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    staff = login(make_user("staff"))
    url = f"/reports/indicators/{manual.id}/entries"
    page = client.get(url).get_data(as_text=True)
    assert "Aún no se han ingresado valores." in page and 'name="evidence"' in page
    data = {
        "period": "2025-s1",
        "value": "2",
        "note": "Ordenanza municipal",
        "evidence": (io.BytesIO(PDF), "acta.pdf"),
    }
    assert client.post(url, data=data, content_type="multipart/form-data").status_code == 302
    assert client.post(url, data={"period": "2025-S1", "value": "3"}).status_code == 302  # corrected
    entry = db.session.scalars(select(IndicatorEntry)).one()
    assert (entry.period, entry.value, entry.entered_by_id, entry.note) == (
        "2025-S1",
        Decimal("3.00"),
        staff.id,
        None,
    )
    assert entry.evidence_id is not None  # kept when the correction brings no new file
    rows = db.session.scalars(
        select(ChangeLog).where(ChangeLog.entity_type == "indicatorentry").order_by(ChangeLog.id)
    )
    assert [(r.action, r.user_id, r.changes.get("value")) for r in rows] == [
        ("create", staff.id, [None, "2.00"]),
        ("update", staff.id, ["2.00", "3.00"]),
    ]
    download = client.get(f"{url}/{entry.id}/evidence")
    assert download.status_code == 200 and download.data == PDF
    html = client.get(url).get_data(as_text=True)
    assert "acta.pdf" in html and ">3<" in html


def test_bad_entries_get_a_clear_message_and_change_nothing(
    client, world, manual, make_user, login, app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    login(make_user("staff"))  # Spanish
    url = f"/reports/indicators/{manual.id}/entries"
    for data, message in [
        ({"period": "2025-S3", "value": "1"}, "Escriba el periodo como AÑO-S1 o AÑO-S2"),
        ({"period": "2025-S1", "value": "abc"}, "Ingrese un número, por ejemplo 12 o 3.5."),
        ({"period": "2025-S1", "value": "-2"}, "Ingrese un número entre 0 y 999,999,999,999.99."),
        ({"period": "2099-S1", "value": "1"}, "El periodo 2099-S1 aún no ha comenzado."),
        (
            {"period": "2025-S1", "value": "1", "evidence": (io.BytesIO(b"MZ\x90\x00"), "virus.pdf")},
            "Solo se aceptan",
        ),
    ]:
        response = client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert count(IndicatorEntry) == 0 and list(tmp_path.iterdir()) == []


def test_other_indicators_ids_and_missing_ids_answer_404(client, world, manual, make_user, login):
    admin = make_user("admin")
    values = IndicatorValues("4.2", "Otro", "Other", "documents", kind="manual", aggregation="sum")
    other = indicator_admin.create_indicator(admin, values)
    entry, _new = indicator_admin.save_entry(admin, other, EntryValues("2025-S1", "5"), D("2026-01-01"))
    builtin = by_code("3.1")
    db.session.commit()
    login(make_user("staff"))
    assert client.post(f"/reports/indicators/{manual.id}/entries/{entry.id}/delete").status_code == 404
    assert client.get(f"/reports/indicators/{manual.id}/entries/{entry.id}/evidence").status_code == 404
    assert client.get(f"/reports/indicators/{builtin.id}/entries").status_code == 404  # not a manual one
    assert (
        client.post(
            f"/reports/indicators/{builtin.id}/entries", data={"period": "2025-S1", "value": "1"}
        ).status_code
        == 404
    )
    assert client.get("/reports/indicators/999999/entries").status_code == 404
    assert (
        client.get(f"/reports/indicators/{other.id}/entries/{entry.id}/evidence").status_code == 404
    )  # none
    assert count(IndicatorEntry) == 1
    assert client.post(f"/reports/indicators/{other.id}/entries/{entry.id}/delete").status_code == 302
    assert count(IndicatorEntry) == 0


def test_a_period_target_set_on_the_page_changes_the_period_rating(client, world, en_user, login):
    login(en_user("admin"))
    cooperation = by_code("2.2")  # target 5; one letter signed by 2025-12-31 → 20 %, rating 2
    html = client.get("/reports/indicators", query_string={"period": "2025-S2"}).get_data(as_text=True)
    assert "20 %" in html and "2 – Unsatisfactory" in html
    response = client.post(
        f"/reports/indicators/{cooperation.id}/targets", data={"period": "2025-S2", "target": "1"}
    )
    assert response.status_code == 302
    html = client.get("/reports/indicators", query_string={"period": "2025-S2"}).get_data(as_text=True)
    row = html[html.index(">2.2<") : html.index("</tr>", html.index(">2.2<"))]
    assert "100 %" in row and "6 – Highly satisfactory" in row and "Reached" in row
    live = client.get("/reports/indicators").get_data(as_text=True)  # today: 2 of the end-of-project 5
    assert "40 %" in live[live.index(">2.2<") : live.index("</tr>", live.index(">2.2<"))]
    page = client.get(f"/reports/indicators/{cooperation.id}/target").get_data(as_text=True)
    assert "2025-S2" in page
    bad = client.post(
        f"/reports/indicators/{cooperation.id}/targets", data={"period": "2025-S7", "target": "1"}
    )
    assert bad.status_code == 400 and "YEAR-S1 or YEAR-S2" in bad.get_data(as_text=True)
    target = db.session.scalars(select(IndicatorTarget)).one()
    assert client.post(f"/reports/indicators/{cooperation.id}/targets/{target.id}/delete").status_code == 302
    assert count(IndicatorTarget) == 0


def test_custom_indicators_reach_the_export_the_workbook_and_the_api(client, world, manual, en_user, login):
    admin = login(en_user("admin"))
    indicator_admin.save_entry(admin, manual, EntryValues("2025-S2", "4"), D("2026-01-01"))
    db.session.commit()
    csv = client.get("/reports/export/indicators/indicators.csv").get_data(as_text=True)
    line = next(row for row in csv.splitlines() if row.startswith("4.1,"))
    assert line.startswith("4.1,Policy instruments,policy instruments,6.00,4.00,66.7,4 –")  # 4 of 6
    assert client.post("/reports/indicators/freeze", data={"period": "2025-S2"}).status_code == 302
    book = load_workbook(io.BytesIO(client.get("/reports/export/indicators/period.xlsx?period=2025-S2").data))
    sheet = book.worksheets[0]
    found = [[c.value for c in row] for row in sheet.iter_rows() if row[0].value == "4.1"]
    assert (
        found
        and found[0][1] == "Policy instruments"
        and found[0][2] == "policy instruments"
        and found[0][4] == 4
    )
    _token, secret = tokens.create_token(admin, "test", 30, True)
    db.session.commit()
    answer = client.get(
        "/api/v1/reports/indicators", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    rows = answer["tables"][0]["rows"]
    assert any(row[0] == "4.1" and row[4] == "4.00" for row in rows)


def test_deactivate_and_delete_from_the_list(client, world, manual, en_user, login):
    login(en_user("admin"))
    listing = client.get("/reports/indicators/admin").get_data(as_text=True)
    assert "Entered by hand per period" in listing and "Framework rule" in listing
    assert client.post(f"/reports/indicators/admin/{manual.id}/deactivate").status_code == 302
    assert by_code("4.1").active is False
    assert ">4.1<" not in client.get("/reports/indicators").get_data(as_text=True)
    builtin = by_code("3.1")
    response = client.post(f"/reports/indicators/admin/{builtin.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True) and by_code("3.1") is not None
    assert client.post(f"/reports/indicators/admin/{manual.id}/delete").status_code == 302
    assert by_code("4.1") is None


def test_admin_edits_names_unit_and_position_of_a_builtin(client, world, en_user, login):
    login(en_user("admin"))
    builtin = by_code("2.2")
    form = {"code": "ignored", "name_es": "Cartas de cooperación", "name_en": "Cooperation letters",
            "unit": "documents", "position": "1", "target": "5"}  # fmt: skip
    assert client.post(f"/reports/indicators/admin/{builtin.id}/edit", data=form).status_code == 302
    edited = by_code("2.2")
    assert (edited.name_en, edited.unit, edited.position, edited.computed_from) == (
        "Cooperation letters",
        "documents",
        1,
        "signed letters of intent",
    )
    assert by_code("ignored") is None

"""The results register export: the lines in scope with hand-worked figures, the technical team only,
each company's read recorded; the organisation and contact exports carry no results.

Seeded factors (version 1): electricity 0.2 tCO2eq/MWh (2021), natural gas 0.0561545 tCO2eq/GJ.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from crm import clock
from crm.extensions import db
from crm.models import AccessLog, Indicator
from crm.models.results import CARRIERS
from crm.results import services
from crm.results.services import ResultValues

FIXED = 9  # id, company, RUC, programme, measure, status, date, expected tCO2eq, achieved tCO2eq


def col(carrier: str, basis: str) -> int:
    """Return the column of one carrier's expected or achieved amount."""
    return FIXED + 2 * CARRIERS.index(carrier) + (basis == "achieved")


def results(world, record, make_org) -> int:
    """Record two results of the world's company and one of another company; return the other's id."""
    world.company.ruc = "20100000001"
    amounts = {"e_electricity": "2000", "a_electricity": "1250.5", "a_natural_gas": "100"}
    record("verified", day=date(2026, 4, 15), a_upops="500000", **amounts)  # 500,000 µg = 0.5 g TEQ
    record("estimated", measure=world.lighting, day=date(2026, 3, 1), e_natural_gas="40")
    other = make_org("Acería Norte SAC")
    values = ResultValues(world.programme.id, world.furnace.id, "reported", date(2026, 5, 2),
                          expected={"process": Decimal(10)})  # fmt: skip
    services.save_result(world.manager, other, None, values)
    gef10 = db.session.scalars(select(Indicator).where(Indicator.code == "GEF-10")).one()
    gef10.unit = "g TEQ/yr"  # the target's unit: u-POPs are exported in it
    db.session.commit()
    return other.id


def test_the_xlsx_holds_every_result_in_scope_with_hand_worked_figures(
    client, login, world, record, make_org
):
    other_id = results(world, record, make_org)
    login(world.manager)
    page = client.get(f"/results/organisations/{world.company.id}").get_data(as_text=True)
    assert f"/results/export.xlsx?organisation={world.company.id}" in page
    assert 'formaction="/results/export.xlsx"' in client.get("/results/gap").get_data(as_text=True)
    response = client.get("/results/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    header, *rows = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert len(header) == FIXED + 2 * len(CARRIERS) + 4 and len(rows) == 3  # one row per result
    acer, lighting, furnace = rows  # by company, then date
    assert acer[1:3] == ["Acería Norte SAC", None] and acer[5] == "Reportado por la empresa"
    assert acer[7] == 10 and acer[8] is None and acer[col("process", "expected")] == 10
    assert lighting[2] == "20100000001" and lighting[5] == "Estimado"
    assert lighting[7] == 2.2462 and lighting[col("natural_gas", "expected")] == 40  # 40 × 0.0561545
    assert furnace[5] == "Verificado" and furnace[6].date() == date(2026, 4, 15)
    assert furnace[7] == 400 and furnace[8] == 255.7155  # 2000 × 0.2; 1250.5 × 0.2 + 100 × 0.0561545
    assert furnace[col("electricity", "achieved")] == 1250.5 and furnace[col("upops", "achieved")] == 0.5
    assert "(g TEQ/yr)" in header[col("upops", "achieved")]
    assert furnace[-4] == "Electricidad v1 (2021); Gas natural v1 (2006)"
    assert furnace[-3] == world.manager.name and furnace[-2].date() == clock.today()
    assert furnace[-1] == "verificacion.pdf"
    about = {r[0].value: r[1].value for r in book.worksheets[1].iter_rows()}
    assert about["Exportado por"] == world.manager.name
    logged = db.session.scalars(select(AccessLog).where(AccessLog.endpoint == "results.export")).all()
    assert {(a.organisation_id, a.what) for a in logged} == {
        (world.company.id, "emission_results"),
        (other_id, "emission_results"),
    }


def test_the_csv_keeps_the_filters_and_is_refused_to_viewers_and_liaisons(
    client, login, world, record, make_org, make_user
):
    results(world, record, make_org)
    login(world.staff)
    query = f"organisation={world.company.id}&status=verified"
    text = client.get(f"/results/export.csv?{query}").get_data(as_text=True).removeprefix("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 and rows[0][4] == world.furnace.name_es
    assert Decimal(rows[0][8]) == Decimal("255.7155") and rows[0][6] == "2026-04-15"
    assert Decimal(rows[0][col("upops", "achieved")]) == Decimal("0.5")
    for role in ("viewer", "liaison"):
        client.post("/auth/logout")
        login(make_user(role))
        assert client.get(f"/results/export.csv?{query}").status_code == 404  # refusals answer 404 here
        assert client.get("/results/export.xlsx").status_code == 404


def test_the_organisation_and_contact_exports_carry_no_results(client, login, world, record, make_org):
    results(world, record, make_org)
    login(world.manager)
    for url in (
        "/imports/export/organisations.csv",
        "/imports/export/contacts.csv",
        "/imports/export/organisations.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = response.get_data(as_text=url.endswith("csv"))
        if url.endswith("xlsx"):
            book = load_workbook(io.BytesIO(body))
            body = " ".join(str(c.value) for row in book.worksheets[0].iter_rows() for c in row)
        assert world.furnace.name_es not in body and "255.7155" not in body and "1250.5" not in body
    reads = select(AccessLog).where(
        AccessLog.what == "emission_results", AccessLog.endpoint.like("exports.%")
    )
    assert db.session.scalars(reads).all() == []

"""XLSX exports written row by row (openpyxl write-only) and streamed: what the file says, and its cost."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date

from babel.dates import format_date
from openpyxl import load_workbook
from sqlalchemy import select

from crm.clock import today
from crm.exports.download import CHUNK, attachment
from crm.exports.writer import WIDTH_SAMPLE, to_xlsx, xlsx_file
from crm.extensions import db
from crm.models import Organisation, Sector


def test_a_spanish_export_says_its_filters_and_date_sizes_its_columns_and_matches_the_database(
    client, make_user, login, make_org
):
    sector = Sector(code="Z24", name_es="Fundición de metales", name_en="Basic metals")
    db.session.add(sector)
    db.session.flush()
    names = ["Acero Andino de Lurín Sociedad Anónima Cerrada", "Bronces Callao SAC", "Cobre del Sur SAC"]
    for number, name in enumerate(names):
        make_org(name, ruc=f"2010004721{number}", sector_id=sector.id)
    make_org("Fundición sin sector SAC")  # outside the sector filter
    make_org("Gremio de Fundidores", kind="association", sector_id=sector.id)  # outside the kind filter
    login(make_user("staff", name="Rosa Exporta"))  # Spanish, formats of Peru (es_PE)
    days = {format_date(today(), format="medium", locale="es_PE")}
    response = client.get(
        "/imports/export/organisations.xlsx", query_string={"kind": "company", "sector": sector.id}
    )
    days.add(format_date(today(), format="medium", locale="es_PE"))  # the day may turn during the request
    assert response.status_code == 200 and response.content_length == len(response.data)
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["organizaciones", "Acerca de"]
    about = {row[0].value: row[1].value for row in book["Acerca de"].iter_rows()}
    assert about["Tipo"] == "Empresa" and about["Sector"] == "Z24 – Fundición de metales"  # words, not codes
    assert about["Exportado por"] == "Rosa Exporta" and about["Tabla"] == "organizaciones"
    assert any(about["Exportado el"].startswith(day) for day in days), about["Exportado el"]
    sheet = book["organizaciones"]
    headings = [c.value for c in sheet[1]]
    assert headings[:4] == ["Id", "Razón social", "Nombre comercial", "RUC"] and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    assert all(8 <= width <= 60 for width in widths)
    assert widths[1] >= len(names[0]) > widths[0]  # the long name fits, the ids stay narrow
    stored = db.session.scalars(
        select(Organisation).where(Organisation.kind == "company", Organisation.sector_id == sector.id)
    ).all()
    expected = [[o.id, o.legal_name, o.ruc, "Empresa", o.updated_at.date()] for o in stored]
    found = [[r[0], r[1], r[3], r[4], r[11].date()] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert found == sorted(expected, key=lambda row: row[1].lower())


def test_the_writer_streams_every_row_past_the_width_sample_in_little_memory():
    count = WIDTH_SAMPLE * 8

    def rows(wide_at: int):
        for n in range(count):
            yield [n, f"Empresa {n:05d} SAC", "x" * 40 if n == wide_at else "=1+1", date(2026, 1, 1 + n % 28)]

    to_xlsx(["Id"], [[1]])  # imports the writer's modules outside the measure
    tracemalloc.start()
    body = to_xlsx(["Id", "Razón social", "Notas", "Fecha"], rows(wide_at=1), title="Empresas")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2_000_000  # 0.5 MB here; a workbook built in memory holds every cell: 6 MB
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.max_row == count + 1 and sheet.auto_filter.ref == f"A1:D{count + 1}"
    assert [c.value for c in sheet[count + 1]][:3] == [count - 1, f"Empresa {count - 1:05d} SAC", "'=1+1"]
    assert sheet.column_dimensions["C"].width == 42  # sized on the first rows, whose widest has 40 characters
    late = load_workbook(io.BytesIO(to_xlsx(["Notas"], ([v] for v in ["a"] * WIDTH_SAMPLE + ["x" * 40]))))
    assert late.active.column_dimensions["A"].width == 8 and late.active.max_row == WIDTH_SAMPLE + 2


def test_an_xlsx_answer_is_sent_from_its_file_in_chunks_then_the_file_is_closed():
    body = xlsx_file(["Id", "Razón social"], ([n, f"Empresa {n} SAC"] for n in range(20_000)))
    response = attachment(body, "organizaciones.xlsx", "xlsx")
    assert response.is_streamed and response.headers["Content-Disposition"].endswith('"organizaciones.xlsx"')
    pieces = list(response.response)
    assert len(pieces) > 1 and max(len(p) for p in pieces) <= CHUNK and body.closed
    assert response.content_length == len(b"".join(pieces))
    assert load_workbook(io.BytesIO(b"".join(pieces))).active.max_row == 20_001

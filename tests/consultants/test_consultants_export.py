"""Exporting the registry: the technical team only, the list's filters and order, cells made safe."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from crm.extensions import db
from crm.models import Consultant, ConsultantAssignment


def entries(world) -> None:
    """Register Rosa (qualified, published, assigned) and Jorge (candidate, with a formula in his notes)."""
    rosa = Consultant(contact_id=world.rosa.id, specialisms="recp chemicals", region="Callao")
    rosa.status, rosa.qualified_on, rosa.published = "qualified", date(2026, 3, 2), True
    jorge = Consultant(contact_id=world.jorge.id, specialisms="finance", region="Lima", status="candidate")
    jorge.notes = '=HYPERLINK("http://x")'
    db.session.add_all([rosa, jorge])
    db.session.flush()
    assignment = ConsultantAssignment(
        consultant_id=rosa.id, engagement_id=world.engagement.id, role="Auditora"
    )
    assignment.started_on = date(2026, 3, 5)
    db.session.add(assignment)
    db.session.commit()


def rows_of_csv(response) -> list[list[str]]:
    """Read a CSV export (UTF-8 with a BOM)."""
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


def test_staff_export_the_registry_as_csv_with_the_lists_filters(client, login, world):
    entries(world)
    login(world.staff)
    page = client.get("/consultants/?specialism=finance").get_data(as_text=True)
    assert "/consultants/export.xlsx?specialism=finance" in page
    response = client.get("/consultants/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    header, *rows = rows_of_csv(response)
    assert header[:3] == ["Id", "Apellidos", "Nombres"] and "Especialidades" in header
    assert [row[1] for row in rows] == ["Huamán", "Quispe"]  # by name, as the list
    huaman, quispe = rows
    assert (
        quispe[3] == "Independiente"
        and quispe[6] == "RECP / eficiencia energética; Gestión racional de químicos / COP-NI"
    )
    assert (quispe[8], quispe[10], quispe[13], quispe[15]) == ("Calificado", "2026-03-02", "Sí", "1")
    assert huaman[3] == "Fundición Chutana SAC" and huaman[-1].startswith("'=")  # never run as a formula
    filtered = rows_of_csv(client.get("/consultants/export.csv?status=qualified&sort=-name"))
    assert [row[1] for row in filtered[1:]] == ["Quispe"]


def test_the_xlsx_export_names_its_filters_in_words(client, login, world):
    entries(world)
    login(world.staff)
    response = client.get("/consultants/export.xlsx?specialism=recp&region=Callao&status=qualified")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    table, about = book.worksheets[0], book.worksheets[1]
    values = [[cell.value for cell in row] for row in table.iter_rows()]
    assert len(values) == 2 and values[1][1] == "Quispe" and values[1][10].date() == date(2026, 3, 2)
    lines = {row[0].value: row[1].value for row in about.iter_rows()}
    assert lines["Especialidad"] == "RECP / eficiencia energética" and lines["Región"] == "Callao"
    assert lines["Estado"] == "Calificado"


def test_readers_and_liaisons_cannot_export_even_when_published(client, login, world):
    entries(world)
    for user in (world.viewer, world.liaison):
        login(user)
        assert client.get("/consultants/").status_code == 200  # they see the published part
        assert "export" not in client.get("/consultants/").get_data(as_text=True)
        assert client.get("/consultants/export.csv").status_code == 404
    login(world.staff)
    assert client.get("/consultants/export.pdf").status_code == 404

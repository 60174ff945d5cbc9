"""XLSX exports read well in Excel: sized columns, a frozen heading row with filters, an About sheet."""

from __future__ import annotations

import io

from openpyxl import load_workbook


def workbook(response):
    """Open a downloaded XLSX."""
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def about(book) -> dict[str, str]:
    """Return the About sheet's label → value lines."""
    return {row[0].value: row[1].value for row in book.worksheets[1].iter_rows()}


def test_list_export_has_sized_columns_and_says_what_it_holds(client, en_user, login, make_org):
    make_org("Fundición con un nombre bastante largo para la columna SAC")
    user = login(en_user("staff", name="Sofía Exporta"))
    book = workbook(client.get("/imports/export/organisations.xlsx?q=fundicion&sort=name"))
    table = book.worksheets[0]
    assert table.freeze_panes == "A2" and table.auto_filter.ref == table.dimensions
    name_width = table.column_dimensions["B"].width
    assert len("Fundición con un nombre bastante largo para la columna SAC") <= name_width <= 62
    assert table.column_dimensions["A"].width < name_width  # ids stay narrow
    lines = about(book)
    assert lines["Exported by"] == user.name and lines["Search"] == "fundicion" and lines["Sort"] == "name"
    assert book.worksheets[1].title == "About" and lines["Exported on"]


def test_report_export_names_its_filters_and_keeps_the_full_title(client, en_user, login):
    login(en_user("manager"))
    args = {"by": "division", "from": "2026-01-01", "to": "2026-06-30", "programme": "1"}
    book = workbook(client.get("/reports/export/conversion/conversion.xlsx", query_string=args))
    lines = about(book)
    assert lines["Table"] == "Conversion by sector · Conversion by sector (isic division)"
    assert len(book.worksheets[0].title) <= 31  # Excel's limit; the About sheet keeps the whole title
    assert lines["From"] == "Jan 1, 2026" and lines["To"] == "Jun 30, 2026"
    assert lines["Programme"] and lines["Programme"] != "1"  # by name, not by id

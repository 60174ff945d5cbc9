"""Reading files as the PMU has them: encodings, delimiters, XLSX, and hostile files refused clearly."""

from __future__ import annotations

import io

import pytest
from imports_support import counts, ruc, text
from openpyxl import Workbook
from sqlalchemy import select

from crm.extensions import db
from crm.imports.reading import ImportFileError, data_rows, inspect_file
from crm.models import ImportBatch, Organisation

ROWS = [
    ["Razón social", "RUC", "Distrito"],
    ["Fundición Ñaña S.A.C.", ruc(1), "Lurín"],
    ["Café Perú EIRL", "", ""],
]


def csv_bytes(delimiter: str, encoding: str, bom: bool = False) -> bytes:
    """Return ROWS as a delimited file in an encoding."""
    body = "\r\n".join(delimiter.join(r) for r in ROWS) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + body.encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    """Return rows as an XLSX workbook."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom", "label"),
    [
        (",", "utf-8", False, "utf-8"),
        (";", "utf-8", True, "utf-8-sig"),
        (";", "cp1252", False, "cp1252"),
        ("\t", "utf-16", False, "utf-16"),
        ("\t", "cp1252", False, "cp1252"),
    ],
)
def test_encodings_and_delimiters_are_detected(tmp_path, delimiter, encoding, bom, label):
    path = tmp_path / "file.csv"
    path.write_bytes(csv_bytes(delimiter, encoding, bom))
    info = inspect_file(path, 100)
    assert (info.headers, info.rows, info.encoding, info.delimiter) == (ROWS[0], 2, label, delimiter)
    assert [cells for _n, cells in data_rows(path)] == ROWS[1:]


def test_a_file_mixing_utf8_and_windows_1252_lines_reads_both(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "Razón social\n".encode() + "Compañía Minera\n".encode("cp1252") + "Fundición\n".encode()
    )
    assert inspect_file(path, 10).encoding == "mixed"
    assert [c[0] for _n, c in data_rows(path)] == ["Compañía Minera", "Fundición"]


def test_row_numbers_are_those_of_the_spreadsheet_blank_rows_included(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_bytes(b"Nombre;RUC\n\nUno;\n;\nDos;\n")
    assert [(n, c[0]) for n, c in data_rows(path)] == [(3, "Uno"), (5, "Dos")]


def test_xlsx_numbers_and_dates_are_read_as_text_without_float_noise(tmp_path):
    from datetime import datetime

    path = tmp_path / "book.xlsx"
    path.write_bytes(
        xlsx_bytes([["Nombre", "RUC", "Fecha", "MWh"], ["Uno", int(ruc(5)), datetime(2024, 5, 3), 1234.5]])
    )
    assert [c for _n, c in data_rows(path)] == [["Uno", ruc(5), "2024-05-03", "1234.5"]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (b"Raz\xc3\xb3n social;RUC\n", "The file has a header row but no data rows."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it looks like a binary file"),
        (b"PK\x03\x04not really a workbook", "not an XLSX workbook we can read"),
        (b"\x01\x02\x03binary;\x04\n1;2\n", "it looks like a binary file"),
    ],
)
def test_hostile_files_are_refused_with_a_clear_message_and_nothing_stored(staff, upload, content, message):
    before = counts()
    response = upload(content, filename="empresas.csv")
    assert response.status_code == 400
    assert message in text(response)
    assert counts() == before and db.session.scalar(select(ImportBatch.id)) is None


def test_old_xls_and_other_extensions_are_refused(staff, upload):
    assert "save the sheet as .xlsx or CSV" in text(upload(b"x", filename="empresas.xls"))
    assert "Upload a CSV or XLSX file." in text(upload(b"x", filename="empresas.pdf"))


def test_a_file_over_the_size_limit_gets_a_clear_message(app, staff, upload):
    app.config["IMPORT_MAX_MB"] = 1
    try:
        response = upload(b"Nombre\n" + b"x" * (1024 * 1024 + 10) + b"\n")
    finally:
        app.config["IMPORT_MAX_MB"] = 50
    assert response.status_code == 413
    assert "The file is larger than 1 MB" in text(response)
    assert db.session.scalar(select(ImportBatch.id)) is None


def test_the_import_limit_may_exceed_the_general_upload_limit(app, staff, upload):
    assert app.config["IMPORT_MAX_MB"] == 50
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        response = upload("Razón social\n" + "".join(f"Empresa número {n} SAC\n" for n in range(60000)))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
    assert response.status_code == 302
    assert db.session.scalars(select(ImportBatch)).one().total_rows == 60000


def test_too_many_rows_are_refused(app, staff, upload):
    app.config["IMPORT_MAX_ROWS"] = 5
    try:
        response = upload("Nombre\n" + "x\n" * 6)
    finally:
        app.config["IMPORT_MAX_ROWS"] = 200_000
    assert response.status_code == 400 and "more than 5 rows" in text(response)


def test_an_xlsx_file_imports_like_a_csv(staff, imported):
    content = xlsx_bytes([["Legal name", "RUC", "District"], ["Andean Foundry SAC", int(ruc(7)), "Callao"]])
    batch = imported(content, filename="companies.xlsx")
    assert batch.status == "done", batch.error
    org = db.session.scalars(select(Organisation)).one()
    assert (org.legal_name, org.ruc, org.district.name) == ("Andean Foundry SAC", ruc(7), "Callao")


def test_the_stored_upload_has_a_random_name_outside_static(app, staff, upload):
    upload(csv_bytes(";", "cp1252"), filename="../../static/evil.csv")
    batch = db.session.scalars(select(ImportBatch)).one()
    assert batch.filename == "evil.csv"
    assert (
        len(batch.stored_name) == 36
        and batch.stored_name.endswith(".csv")
        and "evil" not in batch.stored_name
    )
    assert "static" not in app.config["UPLOAD_DIR"]


def test_import_file_error_is_a_value_error():
    assert issubclass(ImportFileError, ValueError)

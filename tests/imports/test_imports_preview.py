"""The preview is a dry run: every row's action, every error with its row and column, nothing written."""

from __future__ import annotations

import csv
import io

from flask_babel import force_locale
from imports_support import counts, ruc, text
from sqlalchemy import select

from crm.extensions import db
from crm.imports.parsing import CellError, day, decimal
from crm.models import ColumnMapping, ImportBatch, Organisation

HEADER = "Razón social;RUC;Sector;Distrito;Correo;Gremio;Etapa;Electricidad MWh/año;Miembro desde\n"


def rows_of(response) -> str:
    """Return the preview table's text."""
    body = text(response)
    return body[body.index('<table class="preview">') :]


def test_each_error_kind_is_reported_with_its_row_and_column(staff, make_org, previewed):
    make_org("Sociedad Nacional de Industrias", kind="association", trade_name="SNI")
    before = counts()
    content = HEADER + (
        "Malo RUC SAC;20100047219;;;;;;;\n"  # row 2: check digit
        "Sector Raro SAC;;ZZ;;;;;;\n"  # row 3
        "Correo Malo SAC;;;;no-es-correo;;;;\n"  # row 4
        f"Primera SAC;{ruc(1)};;;;;;;\n"  # row 5
        f"Repetida SAC;{ruc(1)};;;;;;;\n"  # row 6: RUC repeated in the file
        "Gremio Raro SAC;;;;;Gremio Fantasma;;;\n"  # row 7
        "Distrito Raro SAC;;;Atlántida;;;;;\n"  # row 8
        "Etapa Rara SAC;;;;;;Volando;;\n"  # row 9
        "Número Raro SAC;;;;;;;mucho;\n"  # row 10
        "Fecha Rara SAC;;;;;SNI;;;31/02/2024\n"  # row 11
        "Ambigua SAC;;;;;;;;\n"  # row 12: two stored organisations match
        ";RUC sin nombre;;;;;;;\n"  # row 13: no name
        "Evaluada SAC;;;;;;Evaluada;;\n"  # row 14: a new engagement cannot start there
    )
    make_org("AMBIGUA S.A.C.")
    make_org("Ambigua SAC")
    ident, page = previewed(content, show="error")
    body = rows_of(page)
    expected = [
        ("Row 2, RUC:", "The last digit (check digit) of this RUC is wrong."),
        ("Row 3, Sector:", "Unknown sector “ZZ”"),
        ("Row 4, Correo:", "“no-es-correo” is not a valid e-mail address"),
        ("Row 6, RUC:", "This RUC already appears in row 5 of the file."),
        ("Row 7, Gremio:", "Unknown association “Gremio Fantasma”"),
        ("Row 8, Distrito:", "Unknown district “Atlántida”"),
        ("Row 9, Etapa:", "Unknown stage “Volando”"),
        ("Row 10, Electricidad MWh/año:", "“mucho” is not a number"),
        ("Row 11, Miembro desde:", "“31/02/2024” is not a date"),
        ("Row 12, Razón social:", "Several records match this name"),
        ("Row 13, Razón social:", "The legal name is empty."),
        ("Row 14, Etapa:", "A new engagement starts at identified, contacted or meeting held."),
    ]
    for where, what in expected:
        assert f"<strong>{where}</strong> {what}" in body.replace("&#34;", '"'), (where, what)
    batch = db.session.get(ImportBatch, ident)
    assert batch.counts["error"] == len(expected) and batch.counts["create"] == 1
    assert counts().orgs == before.orgs + 2 and counts().changes == before.changes + 2


def test_actions_name_the_fields_an_update_changes(staff, make_org, previewed):
    make_org("Fundición Callao SAC", ruc=ruc(1), website="https://old.pe")
    content = "Legal name;RUC;Website;District\n"
    content += f"Fundición Callao SAC;{ruc(1)};https://new.pe;Callao\nNew One SAC;;;\n"
    ident, page = previewed(content)
    body = rows_of(page)
    assert "Update" in body and "Fields: Website, District" in body and "Create" in body
    assert db.session.get(ImportBatch, ident).counts | {} == {
        "rows": 2, "create": 1, "update": 1, "unchanged": 0, "error": 0, "errors": 0, "choices": 0,
    }  # fmt: skip
    assert db.session.scalars(select(Organisation.website)).all() == ["https://old.pe"]


def test_a_name_match_is_offered_as_update_or_create_and_the_choice_is_kept(
    client, staff, make_org, previewed
):
    stored = make_org("Fundición Callao S.A.C.")
    ident, page = previewed("Razón social;Sitio web\nFUNDICION CALLAO SAC;https://fc.pe\n")
    body = rows_of(page)
    assert f'<option value="{stored.id}" selected>' in body and '<option value="create">' in body
    response = client.post(f"/imports/{ident}/decisions", data={"decision-2": "create"})
    assert response.status_code == 302
    body = rows_of(client.get(f"/imports/{ident}"))
    assert '<option value="create" selected>' in body and "Create" in body
    assert db.session.get(ImportBatch, ident).decisions == {"2": "create"}


def test_an_ambiguous_match_is_resolved_by_choosing_one(client, staff, make_org, previewed):
    make_org("Ambigua SAC")
    second = make_org("AMBIGUA S.A.C.")
    ident, page = previewed("Razón social;Notas\nAmbigua SAC;nota\n")
    assert "Several records match this name" in rows_of(page)
    client.post(f"/imports/{ident}/decisions", data={"decision-2": str(second.id)})
    body = rows_of(client.get(f"/imports/{ident}"))
    assert "Several records match" not in body and f'<option value="{second.id}" selected>' in body


def test_html_in_names_is_shown_escaped(staff, previewed):
    _ident, page = previewed('Razón social\n<script>alert("x")</script> SAC\n<b>Negrita</b>\n')
    body = text(page)
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body and "&lt;b&gt;Negrita" in body


def test_the_import_button_counts_in_singular_and_plural(staff, previewed):
    _ident, one = previewed("Razón social\nÚnica SAC\n")
    _ident, two = previewed("Razón social\nPrimera SAC\nSegunda SAC\n")
    assert "Import 1 row<" in text(one) and "Import 2 rows<" in text(two)
    _ident, bad = previewed("Razón social;Distrito\nBuena SAC;Callao\n;Callao\n")
    assert "1 row has errors: fix it in the file" in text(bad) and 'name="skip_errors" required' in text(bad)


def test_duplicate_rows_are_reported_not_imported_twice(staff, previewed):
    ident, page = previewed("Razón social;Distrito\nDoble SAC;Callao\nDoble S.A.C.;Callao\n", show="error")
    assert "This organisation already appears in row 2 of the file." in rows_of(page)
    assert db.session.get(ImportBatch, ident).counts["create"] == 1


def test_the_rows_with_errors_download_as_a_csv_to_fix(client, staff, previewed):
    content = "Razón social;RUC\nBuena SAC;\nMala SAC;123\n=cmd|' /C calc'!A0;20100047219\n"
    ident, _page = previewed(content)
    response = client.get(f"/imports/{ident}/errors.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Razón social", "RUC", "Errors"]
    assert [r[:2] for r in rows[1:]] == [["Mala SAC", "123"], ["'=cmd|' /C calc'!A0", "20100047219"]]
    assert rows[1][2].startswith("RUC: A RUC has exactly 11 digits.")


def test_a_fixed_error_file_uploads_again_without_the_formula_guard(staff, previewed, client):
    ident, _page = previewed("Razón social;RUC\n'=cmd SAC;\n")
    assert db.session.get(ImportBatch, ident).counts["create"] == 1
    assert ">=cmd SAC<" in text(client.get(f"/imports/{ident}"))


def test_the_mapping_step_uses_spanish_or_english_headers_and_remembers_changes(client, staff, upload):
    response = upload("Nombre comercial;Razón social;Teléfono;Cualquier cosa\nFC;Fundición Callao;555;x\n")
    ident = int(response.headers["Location"].split("/")[2])
    batch = db.session.get(ImportBatch, ident)
    assert batch.mapping == {"trade_name": 0, "legal_name": 1, "contact_phone": 2}
    english = upload("Legal name;Trade name;District\nAndean SAC;Andean;Callao\n", filename="en.csv")
    batch_en = db.session.get(ImportBatch, int(english.headers["Location"].split("/")[2]))
    assert batch_en.mapping == {"legal_name": 0, "trade_name": 1, "district": 2}
    form = {"col_0": "trade_name", "col_1": "legal_name", "col_2": "", "col_3": "notes"}
    assert client.post(f"/imports/{ident}/mapping", data=form).status_code == 302
    assert db.session.scalar(select(ColumnMapping.mapping)) == {"trade_name": 0, "legal_name": 1, "notes": 3}
    again = upload(
        "Nombre comercial;Razón social;Teléfono;Cualquier cosa\nOtra;Otra SAC;1;y\n", filename="b.csv"
    )
    remembered = db.session.get(ImportBatch, int(again.headers["Location"].split("/")[2]))
    assert remembered.mapping == {"trade_name": 0, "legal_name": 1, "notes": 3}


def test_the_mapping_step_refuses_a_missing_name_or_a_field_twice(client, staff, upload):
    response = upload("Razón social;RUC\nUna SAC;\n")
    ident = int(response.headers["Location"].split("/")[2])
    page = client.get(f"/imports/{ident}/mapping")
    assert page.status_code == 200 and "Una SAC" in text(page)
    missing = client.post(f"/imports/{ident}/mapping", data={"col_0": "", "col_1": "ruc"})
    assert missing.status_code == 400 and "Choose the column that holds: Legal name." in text(missing)
    twice = client.post(f"/imports/{ident}/mapping", data={"col_0": "legal_name", "col_1": "legal_name"})
    assert twice.status_code == 400 and "one column only: Legal name" in text(twice)
    assert db.session.get(ImportBatch, ident).mapping == {"legal_name": 0, "ruc": 1}


def test_cells_parse_decimal_commas_and_both_date_formats():
    with force_locale("en"):
        check_cells()


def check_cells() -> None:
    """Check the cell parsers (messages in English)."""
    assert decimal("1.234,56") == decimal("1,234.56") == decimal("1234,56") == decimal("1234.56")
    assert decimal("1.500.000") == decimal("1 500 000") == decimal("US$ 1,500,000.00")
    assert str(decimal("0,125")) == "0.13" and decimal("") is None
    assert day("03/05/2024") == day("2024-05-03") == day("3-5-2024") == day("2024-05-03 00:00:00")
    for bad, message in (("1,500", "ambiguous"), ("-5", "negative"), ("2024-13-01", "not a date")):
        try:
            decimal(bad) if "-" not in bad[1:] else day(bad)
        except CellError as exc:
            assert message in exc.message
        else:
            raise AssertionError(bad)

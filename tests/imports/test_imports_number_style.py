"""The file's number convention: asked at the mapping step, kept on the batch, used by preview and job."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st
from imports_support import batch_id, text
from sqlalchemy import select

from crm.extensions import db
from crm.imports.conventions import proof_of
from crm.imports.mapping import clean_mapping
from crm.imports.parsing import CellError, decimal
from crm.imports.reading import NumberText
from crm.letters.cofinance import totals
from crm.models import ImportBatch, Letter

HEADER = "Fuente;Tipo de cofinanciador;Tipo de cofinanciamiento;Comprometido;Materializado\n"
ROWS = (("Uno", "1.500"), ("Dos", "2,300"), ("Tres", "75"))  # no cell settles the convention
AMOUNTS = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


def written(value: Decimal, style: str, grouped: bool) -> str:
    """Write an amount as a file in that convention would."""
    point = f"{value:,.2f}" if grouped else f"{value:.2f}"
    return point if style == "point" else point.translate(str.maketrans(",.", ".,"))


@settings(max_examples=150, deadline=None)
@given(AMOUNTS, st.sampled_from(["point", "comma"]), st.booleans())
def test_an_amount_written_in_a_convention_reads_back_in_it(value, style, grouped):
    assert decimal(written(value, style, grouped), style=style) == value


def test_a_chosen_convention_refuses_the_other_one_and_leaves_workbook_numbers_alone(app):
    assert decimal("1.234", style="comma") == Decimal("1234.00")
    assert decimal("1.234", style="point") == Decimal("1.23")
    assert decimal(NumberText("1234.5"), style="comma") == Decimal("1234.50")
    for raw, style in (("1.234,56", "point"), ("1,234.56", "comma"), ("12,34.5", "point")):
        with force_locale("en"), pytest.raises(CellError, match="not a number written as"):
            decimal(raw, style=style)


def choose_at_mapping(client, ident: int, style: str):
    """Post the mapping step as guessed, with the number convention chosen."""
    batch = db.session.get(ImportBatch, ident)
    form = {f"col_{column}": key for key, column in clean_mapping(batch.kind, batch.mapping, 5).items()}
    return client.post(f"/imports/{ident}/mapping", data={**form, "numbers": style})


def commit(client, work, ident: int) -> ImportBatch:
    """Open the preview, start the import and run its job."""
    assert client.get(f"/imports/{ident}").status_code == 200
    assert client.post(f"/imports/{ident}/commit").status_code == 302
    work()
    return db.session.get(ImportBatch, ident)


def test_the_convention_chosen_at_mapping_or_in_the_preview_sets_the_imported_amount(
    client, staff, upload, work
):
    first = batch_id(upload(HEADER + "Empresa Uno SAC;privado;efectivo;1.234;0\n", kind="cofinance"))
    page = client.get(f"/imports/{first}/mapping")
    assert "Numbers in the file" in text(page) and "1.234,56 (comma for decimals)" in text(page)
    assert choose_at_mapping(client, first, "comma").status_code == 302
    assert commit(client, work, first).status == "done"
    assert totals().committed == Decimal("1234.00")
    second = batch_id(upload(HEADER + "Empresa Dos SAC;privado;efectivo;1.234;0\n", kind="cofinance"))
    assert client.post(f"/imports/{second}/numbers", data={"numbers": "point"}).status_code == 302
    assert commit(client, work, second).status == "done"
    assert totals().committed == Decimal("1235.23")


def test_detection_reads_the_file_by_the_convention_its_unambiguous_cells_settle(
    client, staff, previewed, work
):
    rows = "Uno SAC;privado;efectivo;12.000;0\nDos SAC;privado;efectivo;2.500,75;1.000\n"
    ident, page = previewed(HEADER + rows, kind="cofinance")
    assert "can be read two ways" not in text(page)  # 2.500,75 settles it: 12.000 is twelve thousand
    mapping = text(client.get(f"/imports/{ident}/mapping"))
    assert "Detected from the file: “2.500,75” is written as 1.234,56" in mapping
    assert db.session.get(ImportBatch, ident).counts["error"] == 0
    client.post(f"/imports/{ident}/commit")
    work()
    amounts = db.session.scalars(select(Letter.amount).order_by(Letter.amount)).all()
    assert amounts == [Decimal("2500.75"), Decimal("12000.00")]


@pytest.mark.parametrize(
    ("cell", "settles"),
    [("2.500,75", "comma"), ("1,234.5", "point"), ("1.234.567", "comma"), ("1,234,567", "point"),
     ("12,5", "comma"), ("0.500", "point"), ("0,500", "comma"), ("S/ 7.25", "point"),
     ("1.500", None), ("2,300", None), ("75", None), ("abc", None)],
)  # fmt: skip
def test_which_cells_settle_the_convention(cell, settles):
    assert proof_of(cell) == settles


@settings(max_examples=60, deadline=None)
@given(amount=AMOUNTS, style=st.sampled_from(["point", "comma"]), grouped=st.booleans())
def test_a_settling_cell_never_names_the_other_convention(amount, style, grouped):
    assert proof_of(written(amount, style, grouped)) in (style, None)


def test_ambiguous_numbers_are_refused_with_a_warning_naming_the_column_and_values(client, staff, previewed):
    rows = "".join(f"{name} SAC;privado;efectivo;{amount};0\n" for name, amount in ROWS)
    ident, page = previewed(HEADER + rows, kind="cofinance")
    body = text(page)
    assert "Some numbers can be read two ways" in body
    mapping = text(client.get(f"/imports/{ident}/mapping"))
    assert "Nothing in the file settles it: “1.500” reads 1.5 as 1,234.56 and 1,500 as 1.234,56" in mapping
    assert "<strong>Comprometido</strong>: 2 values, such as “1.500”, “2,300”" in body
    assert "<strong>Row 2, Comprometido:</strong> “1.500” is ambiguous" in body
    found = db.session.get(ImportBatch, ident).counts
    assert (found["error"], found["errors"]) == (2, 2)  # one message a row: not also "enter the amount"
    client.post(f"/imports/{ident}/numbers", data={"numbers": "comma"})
    again = text(client.get(f"/imports/{ident}"))
    assert "can be read two ways" not in again and "Numbers: 1.234,56" in again
    assert db.session.get(ImportBatch, ident).counts["error"] == 0

"""What only the database would refuse is caught by the preview; an unforeseen failure says where it was."""

from __future__ import annotations

from decimal import Decimal

import pytest
from imports_support import counts, ruc, text
from sqlalchemy import select
from sqlalchemy import text as text_sql

from crm.extensions import db
from crm.models import Contact, EmissionProfile, ImportBatch, Membership, Organisation


def preview_rows(response) -> str:
    """Return the preview table's text."""
    body = text(response)
    return body[body.index('<table class="preview">') :]


def only_org(ruc_value: str) -> Organisation:
    """Return the organisation with this RUC."""
    return db.session.scalars(select(Organisation).where(Organisation.ruc == ruc_value)).one()


# --- numbers larger than their column ---------------------------------------------------------------------

NUMBERS = "Razón social;RUC;Electricidad MWh/año;Potencial de reducción tCO2e;Gas natural m3/año\n"


def test_a_number_larger_than_its_column_is_an_error_of_the_preview(staff, previewed):
    content = NUMBERS + (
        f"Fundición Callao SAC;{ruc(1)};1000000000000;;\nTextiles Lurín SRL;{ruc(2)};;1.000.000.000.000,00;\n"
    )
    _ident, page = previewed(content, show="error")
    body = preview_rows(page)
    assert "Row 2, Electricidad MWh/año:" in body and "Row 3, Potencial de reducción tCO2e:" in body
    assert body.count("The number is too large: this column holds at most 999,999,999,999.99.") == 2


def test_the_number_error_is_in_spanish_for_a_spanish_reader(make_user, login, previewed):
    login(make_user("staff"))
    _ident, page = previewed(NUMBERS + f"Fundición Callao SAC;{ruc(1)};1000000000000;;\n", show="error")
    assert "El número es demasiado grande: esta columna admite como máximo 999,999,999,999.99." in text(page)


def test_the_largest_numbers_the_columns_hold_are_imported(staff, imported):
    content = NUMBERS + f"Fundición Callao SAC;{ruc(1)};999999999999,99;999999999999,99;9999999999999,99\n"
    batch = imported(content)
    assert batch.status == "done", batch.error
    profile = db.session.get(EmissionProfile, only_org(ruc(1)).id)
    assert profile.electricity_mwh_year == Decimal("999999999999.99")
    assert profile.reduction_potential_tco2e == Decimal("999999999999.99")
    assert profile.natural_gas_m3_year == Decimal("9999999999999.99")


# --- text as long as its column holds, and one character more ------------------------------------------

# File column → (model column whose length bounds it, how a cell of n characters is written).
LONG = {
    "Razón social": (Organisation.legal_name, lambda n: "R" * n),
    "Nombre comercial": (Organisation.trade_name, lambda n: "N" * n),
    "Página web": (Organisation.website, lambda n: "https://" + "w" * (n - 11) + ".pe"),
    "Cargo": (Contact.position, lambda n: "C" * n),
    "Teléfono": (Contact.phone, lambda n: "9" * n),
    "Nombres del contacto": (Contact.first_name, lambda n: "A" * n),
    "Apellidos del contacto": (Contact.last_name, lambda n: "P" * n),
}


def long_row(extra: int) -> str:
    """Return a file whose one row fills every bounded text column to its length plus `extra`."""
    cells = [write(column.type.length + extra) for column, write in LONG.values()]
    return ";".join([*LONG, "RUC"]) + "\n" + ";".join([*cells, ruc(1)]) + "\n"


def test_text_as_long_as_its_column_is_imported_whole(staff, imported):
    batch = imported(long_row(0))
    assert batch.status == "done", batch.error
    org = only_org(ruc(1))
    contact = db.session.scalars(select(Contact)).one()
    stored = [org.legal_name, org.trade_name, org.website, contact.position, contact.phone]
    stored += [contact.first_name, contact.last_name]
    assert [len(v) for v in stored] == [column.type.length for column, _write in LONG.values()]


def test_text_longer_than_its_column_is_an_error_of_the_preview(staff, previewed):
    _ident, page = previewed(long_row(1), show="error")
    body = preview_rows(page)
    for header in ("Razón social", "Nombre comercial", "Página web", "Cargo", "Teléfono"):
        assert f"Row 2, {header}:" in body
    assert "The contact needs a first and last name (at most 80 characters each)." in body


# --- two rows of the file that land on the same record ----------------------------------------------------


def test_two_rows_matching_one_stored_organisation_are_an_error_of_the_preview(
    staff, make_org, previewed, client, work
):
    make_org("Sociedad Nacional de Industrias", kind="association", trade_name="SNI")
    stored = make_org("Fundición Callao SAC")
    content = (
        "Razón social;RUC;Gremio\n"
        f"Fundición Callao SAC;{ruc(1)};SNI\n"  # matches by name, gives the RUC
        "FUNDICION CALLAO S.A.C.;;SNI\n"  # the same organisation, by name again
    )
    ident, page = previewed(content, show="error")
    body = preview_rows(page)
    assert "Row 3, Razón social:" in body
    assert "This row updates the same record as row 2 of the file" in body
    client.post(f"/imports/{ident}/commit", data={"skip_errors": "y"})
    work()
    batch = db.session.get(ImportBatch, ident)
    assert batch.status == "done", batch.error
    assert db.session.get(Organisation, stored.id).ruc == ruc(1)
    assert len(db.session.scalars(select(Membership)).all()) == 1


def test_two_rows_matching_one_stored_contact_are_an_error_of_the_preview(staff, make_contact, previewed):
    make_contact(None, "Ana", "Pérez", email="ana@fundicion.pe")
    content = (
        "Nombres;Apellidos;Correo;Cargo\n"
        "Ana;Pérez;ana@fundicion.pe;Gerenta\n"  # by e-mail
        "Ana;Pérez;;Jefa de planta\n"  # by name: the same person
    )
    _ident, page = previewed(content, kind="contacts", filename="contactos.csv", show="error")
    body = preview_rows(page)
    assert "Row 3, Apellidos:" in body
    assert "This row updates the same record as row 2 of the file" in body
    assert db.session.scalars(select(Contact.position)).one() is None


# --- an unforeseen failure (the detail goes to the log) ---------------------------------------------------


@pytest.fixture
def refused_insert():
    """Make the database refuse one organisation's insert, as a fault nothing in the file explains."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text_sql(
                    "CREATE FUNCTION crm_test_fault() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.legal_name = 'Empresa 7 SAC' THEN RAISE EXCEPTION 'fault'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text_sql(
                    "CREATE TRIGGER crm_test_fault BEFORE INSERT ON organisations "
                    "FOR EACH ROW EXECUTE FUNCTION crm_test_fault()"
                )
            )
        else:
            # A trigger writing to a missing table: an operational error, not a constraint (a conflict).
            conn.execute(
                text_sql(
                    "CREATE TRIGGER crm_test_fault BEFORE INSERT ON organisations "
                    "BEGIN INSERT INTO crm_test_missing VALUES (NEW.legal_name); END"
                )
            )
    yield
    db.session.rollback()
    with db.engine.begin() as conn:
        postgres = conn.dialect.name == "postgresql"
        conn.execute(
            text_sql("DROP TRIGGER IF EXISTS crm_test_fault" + (" ON organisations" if postgres else ""))
        )
        if postgres:
            conn.execute(text_sql("DROP FUNCTION IF EXISTS crm_test_fault()"))


def test_an_unforeseen_failure_names_the_rows_and_where_the_detail_is(
    staff, refused_insert, client, previewed, work
):
    rows = "".join(f"Empresa {n} SAC;{ruc(n)}\n" for n in range(2, 12))
    ident, _page = previewed("Razón social;RUC\n" + rows)
    before = counts()
    client.post(f"/imports/{ident}/commit")
    work()
    batch = db.session.get(ImportBatch, ident)
    assert batch.status == "failed" and counts() == before
    assert "while writing rows 2 to 11" in batch.error and "Nothing was written" in batch.error
    assert f"server log under import {ident}" in batch.error
    assert "the database refused the data" in batch.error

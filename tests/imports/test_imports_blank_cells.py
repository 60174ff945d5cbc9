"""Blank optional cells, in any pattern across rows, never fail a commit nor lose the other rows' values."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imports_support import ruc
from openpyxl import Workbook
from sqlalchemy import inspect, select

from crm.extensions import db
from crm.models import Contact, District, EmissionProfile, Organisation, Sector
from crm.text import fold

# Tables whose rows outlive an example: reference data, the signed-in user and their session.
KEPT = {
    "sectors",
    "districts",
    "alembic_version",
    "users",
    "user_sessions",
    "recovery_codes",
    "barriers",
    "programmes",
    "indicators",
    "emission_factors",
    "measures",
}
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáéíóúñÑü"
WORDS = st.text(LETTERS + ' .,;&"-', min_size=1, max_size=40).map(str.strip).filter(bool)
NAMES = st.text(LETTERS, min_size=1, max_size=12)
AMOUNTS = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2)
LAYOUTS = st.sampled_from(["semicolon", "comma", "xlsx"])


@dataclass
class Cell:
    """A cell as written in the file and the value the record should hold."""

    text: str | Decimal
    stored: object


def amount(value: Decimal) -> Cell:
    """Return a number cell (written with a decimal point; the ; layout turns it into a comma)."""
    return Cell(value, value)


def clear_records() -> None:
    """Delete what an earlier example wrote, keeping reference rows and users."""
    db.session.rollback()
    names = set(inspect(db.engine).get_table_names())
    for table in reversed(db.metadata.sorted_tables):
        if table.name in names and table.name not in KEPT:
            db.session.execute(table.delete())
    db.session.commit()


def file_of(layout: str, headers: list[str], rows: list[list[Cell | None]]) -> tuple[bytes, str]:
    """Render the rows as a CSV with ; or , or as an XLSX workbook; blank cells for None."""
    if layout == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.append(headers)
        for row in rows:
            sheet.append([None if c is None else float(c.text) if isinstance(c.text, Decimal) else c.text
                          for c in row])  # fmt: skip
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), "datos.xlsx"
    delimiter = ";" if layout == "semicolon" else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if c is None else csv_text(c.text, delimiter) for c in row])
    return buffer.getvalue().encode("utf-8"), "datos.csv"


def csv_text(value: str | Decimal, delimiter: str) -> str:
    """Return a cell's CSV text: numbers with a decimal comma in semicolon files, as Peruvian sheets have."""
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",") if delimiter == ";" else f"{value:f}"
    return value


def maybe(strategy) -> st.SearchStrategy:
    """Return a strategy of a cell or a blank."""
    return st.one_of(st.none(), strategy)


# --- organisations ---------------------------------------------------------------------------------------

ORG_HEADERS = {
    "trade_name": "Nombre comercial",
    "ruc": "RUC",
    "size": "Tamaño",
    "sector": "Sector",
    "district": "Distrito",
    "website": "Página web",
    "owner": "Responsable",
    "notes": "Notas",
    "electricity_mwh_year": "Electricidad MWh/año",
    "natural_gas_m3_year": "Gas natural m3/año",
    "emits_upops": "Emite COP NI",
    "reduction_potential_tco2e": "Potencial de reducción tCO2e",
    "contact_name": "Contacto",
    "contact_position": "Cargo",
    "contact_phone": "Teléfono",
}
PROFILE = ("electricity_mwh_year", "natural_gas_m3_year", "emits_upops", "reduction_potential_tco2e")
CONTACT = ("contact_name", "contact_position", "contact_phone")


def org_cells(number: int) -> st.SearchStrategy:
    """Return a strategy of one organisation row's optional cells, each possibly blank."""
    cells = {
        "trade_name": WORDS.map(lambda w: Cell(w, w)),
        "ruc": st.just(Cell(ruc(number), ruc(number))),
        "size": st.sampled_from(
            [Cell("Mediana", "medium"), Cell("pequeña", "small"), Cell("Grande", "large")]
        ),
        "sector": st.sampled_from([Cell("24", "24"), Cell("C", "C")]),
        "district": st.sampled_from([Cell("Callao", "callao"), Cell("Lurín", "lurin")]),
        "website": NAMES.map(lambda w: Cell(f"https://www.{w}.pe", f"https://www.{w}.pe")),
        "owner": st.just(Cell("OWNER", "OWNER")),
        "notes": WORDS.map(lambda w: Cell(w, w)),
        "electricity_mwh_year": AMOUNTS.map(amount),
        "natural_gas_m3_year": AMOUNTS.map(amount),
        "emits_upops": st.sampled_from([Cell("sí", True), Cell("no", False)]),
        "reduction_potential_tco2e": AMOUNTS.map(amount),
        "contact_position": WORDS.map(lambda w: Cell(w, w)),
        "contact_phone": st.text("0123456789 +-", min_size=1, max_size=20).map(str.strip).filter(bool),
    }
    cells["contact_phone"] = cells["contact_phone"].map(lambda p: Cell(p, p))
    row = st.fixed_dictionaries({k: maybe(v) for k, v in cells.items()})
    return st.tuples(NAMES, row).map(lambda pair: with_contact(number, *pair))


def with_contact(number: int, word: str, row: dict) -> dict:
    """Name the legal name, and give the row a contact name when it has any other contact cell."""
    row["legal_name"] = Cell(f"Empresa {number} {word}", f"Empresa {number} {word}")
    has_contact = row["contact_position"] or row["contact_phone"]
    row["contact_name"] = Cell(f"Ana {word} Pérez", f"Ana {word} Pérez") if has_contact else None
    return row


ORG_ROWS = st.integers(1, 5).flatmap(lambda n: st.tuples(*(org_cells(i + 1) for i in range(n))))


def org_file(layout: str, rows: tuple[dict, ...], owner_email: str) -> tuple[bytes, str]:
    """Render organisation rows with the owner cell naming the signed-in user."""
    keys = ["legal_name", *ORG_HEADERS]
    headers = ["Razón social", *ORG_HEADERS.values()]
    for row in rows:
        if row["owner"]:
            row["owner"] = Cell(owner_email, row["owner"].stored)
    return file_of(layout, headers, [[row[k] for k in keys] for row in rows])


def stored_org(org: Organisation) -> dict:
    """Return an organisation's stored fields in the terms of the file."""
    sector = db.session.get(Sector, org.sector_id) if org.sector_id else None
    district = db.session.get(District, org.district_id) if org.district_id else None
    return {
        "legal_name": org.legal_name,
        "trade_name": org.trade_name,
        "ruc": org.ruc,
        "size": org.size,
        "sector": sector.code if sector else None,
        "district": fold(district.name) if district else None,
        "website": org.website,
        "owner": org.owner_id,
        "notes": org.notes,
    }


def expected_org(row: dict, owner_id: int) -> dict:
    """Return what the file says the organisation holds (blank cells hold nothing)."""
    expected = {k: (row[k].stored if row[k] else None) for k in ("legal_name", *ORG_HEADERS)}
    expected["owner"] = owner_id if row["owner"] else None
    return {k: v for k, v in expected.items() if k not in PROFILE and k not in CONTACT}


def stored_profile(org: Organisation) -> dict | None:
    """Return the organisation's emission profile values, or None without a profile."""
    profile = db.session.get(EmissionProfile, org.id)
    if profile is None:
        return None
    return {k: getattr(profile, k) for k in PROFILE}


def expected_profile(row: dict) -> dict | None:
    """Return the profile the row asks for (u-POPs default to no), or None when it has no profile cell."""
    if not any(row[k] for k in PROFILE):
        return None
    values = {k: (row[k].stored if row[k] else None) for k in PROFILE}
    return {**values, "emits_upops": bool(values["emits_upops"])}


def stored_contact(org: Organisation) -> dict | None:
    """Return the organisation's one contact, or None."""
    contact = db.session.scalars(select(Contact).where(Contact.organisation_id == org.id)).one_or_none()
    if contact is None:
        return None
    return {"name": contact.full_name, "contact_position": contact.position, "contact_phone": contact.phone}


def expected_contact(row: dict) -> dict | None:
    """Return the contact the row brings, or None."""
    if row["contact_name"] is None:
        return None
    values = {k: (row[k].stored if row[k] else None) for k in ("contact_position", "contact_phone")}
    return {"name": row["contact_name"].stored, **values}


def imported_clean(imported, content: bytes, kind: str, filename: str):
    """Import a file whose preview must show no error; return the finished batch."""
    batch = imported(content, kind, filename=filename)
    assert batch.counts.get("error") == 0, batch.counts
    assert batch.status == "done", batch.error
    return batch


def check_orgs(rows: tuple[dict, ...], owner_id: int) -> None:
    """Compare every stored organisation, profile and contact with its row of the file."""
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.legal_name)).all()
    assert len(orgs) == len(rows)
    by_name = {org.legal_name: org for org in orgs}
    for number, row in enumerate(rows, start=2):
        org = by_name[row["legal_name"].stored]
        assert stored_org(org) == expected_org(row, owner_id), f"row {number}"
        assert stored_profile(org) == expected_profile(row), f"row {number}"
        assert stored_contact(org) == expected_contact(row), f"row {number}"


@SETTINGS
@given(rows=ORG_ROWS, layout=LAYOUTS)
def test_every_organisation_cell_is_stored_whatever_the_blanks(staff, imported, rows, layout):
    clear_records()
    content, filename = org_file(layout, rows, staff.email)
    imported_clean(imported, content, "organisations", filename)
    check_orgs(rows, staff.id)


# --- contacts --------------------------------------------------------------------------------------------

CONTACT_HEADERS = {
    "first_name": "Nombres",
    "position": "Cargo",
    "email": "Correo",
    "phone": "Teléfono",
    "gender": "Sexo",
    "email_consent": "Acepta correos",
    "organisation_ruc": "RUC de la empresa",
}
BOOLEANS = st.sampled_from([Cell("sí", True), Cell("no", False)])


def contact_cells(number: int) -> st.SearchStrategy:
    """Return a strategy of one contact row's optional cells, each possibly blank."""
    cells = {
        "first_name": NAMES.map(lambda w: Cell(w, w)),
        "position": WORDS.map(lambda w: Cell(w, w)),
        "email": st.just(Cell(f"persona{number}@example.pe", f"persona{number}@example.pe")),
        "phone": st.text("0123456789 +", min_size=1, max_size=20).map(str.strip).filter(bool),
        "gender": st.sampled_from([Cell("Femenino", "female"), Cell("M", "male")]),
        "email_consent": BOOLEANS,
        "organisation_ruc": st.just(Cell(ruc(1), "ORG")),
    }
    cells["phone"] = cells["phone"].map(lambda p: Cell(p, p))
    row = st.fixed_dictionaries({k: maybe(v) for k, v in cells.items()})
    return st.tuples(NAMES, row).map(
        lambda pair: {**pair[1], "last_name": Cell(f"Pérez{number} {pair[0]}", f"Pérez{number} {pair[0]}")}
    )


CONTACT_ROWS = st.integers(1, 5).flatmap(lambda n: st.tuples(*(contact_cells(i + 1) for i in range(n))))
DEFAULTS = {"gender": "not_recorded", "email_consent": False, "first_name": ""}


def expected_person(row: dict, org_id: int) -> dict:
    """Return what the file says the contact holds (blank flags are no, blank gender not recorded)."""
    values = {k: (row[k].stored if row[k] else DEFAULTS.get(k)) for k in ("last_name", *CONTACT_HEADERS)}
    values["organisation_ruc"] = org_id if row["organisation_ruc"] else None
    return values


def stored_person(contact: Contact) -> dict:
    """Return a contact's stored fields in the terms of the file."""
    values = {k: getattr(contact, k) for k in ("last_name", *CONTACT_HEADERS) if k != "organisation_ruc"}
    return {**values, "organisation_ruc": contact.organisation_id}


@SETTINGS
@given(rows=CONTACT_ROWS, layout=LAYOUTS)
def test_every_contact_cell_is_stored_whatever_the_blanks(staff, make_org, imported, rows, layout):
    clear_records()
    org = make_org("Fundición Callao SAC", ruc=ruc(1))
    keys = ["last_name", *CONTACT_HEADERS]
    content, filename = file_of(
        layout, ["Apellidos", *CONTACT_HEADERS.values()], [[r[k] for k in keys] for r in rows]
    )
    imported_clean(imported, content, "contacts", filename)
    contacts = {c.last_name: c for c in db.session.scalars(select(Contact))}
    assert len(contacts) == len(rows)
    for number, row in enumerate(rows, start=2):
        assert stored_person(contacts[row["last_name"].stored]) == expected_person(row, org.id), (
            f"row {number}"
        )


# --- the two reported files ------------------------------------------------------------------------------

REPORTED_HEADER = "Razón social;Nombre comercial;RUC;Notas;Potencial de reducción tCO2e\n"


def test_a_later_row_with_blank_optional_cells_is_imported(staff, imported):
    content = REPORTED_HEADER + (
        f"Fundición Callao SAC;Fundicallao;{ruc(1)};Cliente antiguo;1.234,5\nTextiles Lurín SRL;;{ruc(2)};;\n"
    )
    batch = imported_clean(imported, content, "organisations", "empresas.csv")
    assert batch.counts["create"] == 2
    lurin = db.session.scalars(select(Organisation).where(Organisation.ruc == ruc(2))).one()
    assert (lurin.trade_name, lurin.notes, db.session.get(EmissionProfile, lurin.id)) == (None, None, None)


def test_values_after_a_first_row_of_blanks_are_kept(staff, imported):
    content = REPORTED_HEADER + (
        f"Textiles Lurín SRL;;;;\nFundición Callao SAC;Fundicallao;{ruc(1)};Cliente antiguo;1.234,5\n"
    )
    imported_clean(imported, content, "organisations", "empresas.csv")
    callao = db.session.scalars(select(Organisation).where(Organisation.ruc == ruc(1))).one()
    assert (callao.trade_name, callao.ruc, callao.notes) == ("Fundicallao", ruc(1), "Cliente antiguo")
    assert db.session.get(EmissionProfile, callao.id).reduction_potential_tco2e == Decimal("1234.50")

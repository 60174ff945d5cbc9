"""List exports: what the filters show, in the user's scope; confidential columns for the technical team."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from common_support import text
from openpyxl import load_workbook
from sqlalchemy import select

from crm.extensions import db
from crm.models import AccessLog, EmissionProfile

PROFILE_HEADER = "Electricity use (MWh/year)"


def csv_rows(response) -> list[list[str]]:
    """Parse a CSV download (checking the BOM Excel needs)."""
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def with_profile(org) -> None:
    """Give an organisation a confidential emission profile."""
    db.session.add(
        EmissionProfile(organisation_id=org.id, electricity_mwh_year=Decimal("1234.50"), emits_upops=True)
    )
    db.session.commit()


def test_staff_export_follows_the_filters_and_includes_the_logged_profile(client, en_user, login, make_org):
    login(en_user("staff"))
    foundry = make_org("Fundición Callao SAC", ruc="20100047218")
    make_org("Textil Lima SAC")
    with_profile(foundry)
    rows = csv_rows(client.get("/imports/export/organisations.csv?q=fundicion&sort=name"))
    assert rows[0][:4] == ["Id", "Legal name", "Trade name", "RUC"] and PROFILE_HEADER in rows[0]
    assert [r[1] for r in rows[1:]] == ["Fundición Callao SAC"]
    assert rows[1][rows[0].index(PROFILE_HEADER)] == "1234.50"
    logged = db.session.scalars(select(AccessLog.organisation_id)).all()
    assert logged == [foundry.id]


def test_a_liaison_exports_only_their_association_and_no_confidential_column(client, liaison_world, login):
    login(liaison_world.liaison)
    with_profile(liaison_world.member)
    rows = csv_rows(client.get("/imports/export/organisations.csv"))
    assert PROFILE_HEADER not in rows[0]
    assert sorted(r[1] for r in rows[1:]) == ["Fundición Miembro SAC", "Sociedad Nacional de Industrias"]
    contacts = csv_rows(client.get("/imports/export/contacts.csv"))
    assert sorted(r[2] for r in contacts[1:]) == ["Gremio", "Miembro"]
    assert db.session.scalar(select(AccessLog.id)) is None


def test_a_viewer_gets_no_profile_columns(client, en_user, login, make_org):
    login(en_user("viewer"))
    with_profile(make_org("Fundición SAC"))
    rows = csv_rows(client.get("/imports/export/organisations.csv"))
    assert PROFILE_HEADER not in rows[0] and len(rows) == 2


def test_formula_cells_are_neutralised_in_csv_and_xlsx(client, en_user, login, make_org, make_contact):
    login(en_user("manager"))
    org = make_org('=HYPERLINK("http://evil","x")')
    make_contact(org, "+cmd|' /C calc'!A0", "@SUM(1+1)", email="a@b.pe")
    rows = csv_rows(client.get("/imports/export/organisations.csv"))
    assert rows[1][1] == '\'=HYPERLINK("http://evil","x")'
    contacts = csv_rows(client.get("/imports/export/contacts.csv"))
    assert contacts[1][1:3] == ["'+cmd|' /C calc'!A0", "'@SUM(1+1)"]
    response = client.get("/imports/export/organisations.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == '\'=HYPERLINK("http://evil","x")' and cell.data_type == "s"


def test_contact_export_follows_the_list_filters(client, en_user, login, make_org, make_contact):
    login(en_user("staff"))
    org = make_org("Fundición SAC")
    make_contact(org, "Ana", "Pérez", gender="female")
    make_contact(org, "Luis", "Rojas", gender="male")
    rows = csv_rows(client.get("/imports/export/contacts.csv?gender=female"))
    assert [r[1:3] for r in rows[1:]] == [["Ana", "Pérez"]]
    assert rows[1][4] == "Fundición SAC" and rows[1][8] == "Female"


def test_the_lists_link_to_their_exports_with_the_current_filters(client, en_user, login):
    login(en_user("staff"))
    page = text(client.get("/organisations/?q=acero&kind=company"))
    assert 'href="/imports/export/organisations.csv?q=acero&amp;kind=company"' in page
    contacts = text(client.get("/contacts/?gender=female"))
    assert 'href="/imports/export/contacts.xlsx?gender=female"' in contacts

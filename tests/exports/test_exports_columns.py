"""List exports follow the columns chosen on the list (`cols`): the name, then those, in the list's order."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from crm.extensions import db
from crm.models import AccessLog, EmissionProfile, Engagement, Letter, Materialisation, Programme
from crm.organisations.saved_views import LIST as ORG_LIST
from tests.exports.test_exports_lists import PROFILE_HEADER, csv_rows

ORG_HEADINGS = {"ruc": "RUC", "kind": "Kind", "sector": "Sector", "stage": "Stage per programme",
                "district": "District", "owner": "Owner", "updated": "Updated"}  # fmt: skip
LETTERS_ALL = ["Id", "Organisation", "RUC", "Kind", "Status", "Programme", "Requested", "Received",
               "Signed", "Expires", "Committed (USD)", "Materialised (USD)", "Pending (USD)", "Document",
               "Updated"]  # fmt: skip


def test_organisation_export_has_exactly_the_chosen_columns_in_the_lists_order(
    client, en_user, login, make_org
):
    login(en_user("staff"))
    foundry = make_org("Fundición Callao SAC", ruc="20100047218")
    db.session.add(EmissionProfile(organisation_id=foundry.id, electricity_mwh_year=Decimal("10.00")))
    db.session.commit()
    rows = csv_rows(client.get("/imports/export/organisations.csv?cols=owner,ruc,kind"))  # typed out of order
    assert rows == [["Name", "RUC", "Kind", "Owner"], ["Fundición Callao SAC", "20100047218", "Company", ""]]
    assert db.session.scalar(select(AccessLog.id)) is None  # no profile column chosen, none read
    assert csv_rows(client.get("/imports/export/organisations.csv?cols=none")) == [
        ["Name"],
        ["Fundición Callao SAC"],
    ]
    every = csv_rows(client.get("/imports/export/organisations.csv"))[0]
    assert every[:4] == ["Id", "Legal name", "Trade name", "RUC"] and PROFILE_HEADER in every
    all_ticked = ",".join(ORG_LIST.columns)
    assert csv_rows(client.get(f"/imports/export/organisations.csv?cols={all_ticked}"))[0] == every
    sheet = load_workbook(io.BytesIO(client.get("/imports/export/organisations.xlsx?cols=ruc").data)).active
    assert [c.value for c in sheet[1]] == ["Name", "RUC"] and sheet["B2"].value == "20100047218"


def test_stages_are_exported_when_chosen_and_only_to_those_who_see_them(
    client, en_user, login, make_org, liaison_world
):
    company = make_org("Textil Lurín SAC")
    programme = db.session.scalar(select(Programme).order_by(Programme.id))
    db.session.add(Engagement(organisation_id=company.id, programme_id=programme.id, stage="contacted",
                              stage_since=date(2026, 1, 5)))  # fmt: skip
    db.session.commit()
    login(en_user("staff"))
    rows = csv_rows(client.get("/imports/export/organisations.csv?cols=stage,kind&q=lurin"))
    assert rows == [
        ["Name", "Kind", "Stage per programme"],
        ["Textil Lurín SAC", "Company", f"{programme.code}: Contacted"],
    ]
    client.post("/auth/logout")
    login(liaison_world.liaison)  # no pipeline: the list sends the stage column it hides from them as chosen
    rows = csv_rows(client.get("/imports/export/organisations.csv?cols=ruc,stage"))
    assert rows[0] == ["Name", "RUC"] and sorted(r[0] for r in rows[1:]) == [
        "Fundición Miembro SAC",
        "Sociedad Nacional de Industrias",
    ]


def test_contact_export_has_the_chosen_columns(client, en_user, login, make_org, make_contact):
    login(en_user("staff"))
    make_contact(make_org("Fundición SAC"), "Ana", "Pérez", email="ana@fundicion.pe", gender="female")
    rows = csv_rows(client.get("/imports/export/contacts.csv?cols=email,organisation"))
    assert rows == [["Name", "Organisation", "E-mail"], ["Pérez, Ana", "Fundición SAC", "ana@fundicion.pe"]]
    every = csv_rows(client.get("/imports/export/contacts.csv"))
    assert every[0][:3] == ["Id", "First name", "Last name"] and len(every[0]) == 12


def test_letter_export_has_every_column_or_the_chosen_ones(client, en_user, login, make_org):
    org = make_org("Banco Andino SA", ruc="20100130204")
    cofinance = Letter(kind="cofinance", organisation_id=org.id, status="signed", signed_on=date(2026, 2, 1),
                       amount=Decimal("1000.00"), currency="USD", amount_usd=Decimal("1000.00"))  # fmt: skip
    interest = Letter(
        kind="interest", organisation_id=org.id, status="requested", requested_on=date(2026, 1, 9)
    )
    db.session.add_all([cofinance, interest])
    db.session.flush()
    db.session.add(Materialisation(letter=cofinance, occurred_on=date(2026, 3, 1), amount=Decimal("250.00"),
                                   amount_usd=Decimal("250.00")))  # fmt: skip
    db.session.commit()
    login(en_user("staff"))
    page = client.get("/letters/?kind=cofinance&cols=status").get_data(as_text=True)
    assert 'href="/imports/export/letters.csv?kind=cofinance&amp;cols=status"' in page
    every = csv_rows(client.get("/imports/export/letters.csv?sort=-requested"))
    assert every[0] == LETTERS_ALL and len(every) == 3
    chosen = csv_rows(client.get("/imports/export/letters.csv?cols=pending,status,committed&sort=-requested"))
    assert chosen == [
        ["Organisation", "Status", "Committed (USD)", "Pending (USD)"],
        ["Banco Andino SA", "Requested", "", ""],
        ["Banco Andino SA", "Signed", "1000.00", "750.00"],
    ]
    filtered = csv_rows(client.get("/imports/export/letters.csv?kind=interest&cols=kind"))
    assert filtered == [["Organisation", "Kind"], ["Banco Andino SA", "Letter of interest"]]
    assert client.get("/imports/export/letters.pdf").status_code == 404


def test_letters_export_is_refused_to_those_without_the_list(client, en_user, login):
    login(en_user("liaison"))
    assert client.get("/imports/export/letters.csv").status_code == 404


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(picked=st.lists(st.sampled_from([c for c in ORG_LIST.columns if c != "stage"]), unique=True))
def test_any_choice_gives_the_name_and_those_columns_in_the_lists_order(client, en_user, login, picked):
    if not getattr(test_any_choice_gives_the_name_and_those_columns_in_the_lists_order, "signed", False):
        login(en_user("staff"))
        test_any_choice_gives_the_name_and_those_columns_in_the_lists_order.signed = True
    headers = csv_rows(client.get(f"/imports/export/organisations.csv?cols={','.join(picked) or 'none'}"))[0]
    assert headers == ["Name"] + [ORG_HEADINGS[c] for c in ORG_LIST.columns if c in picked]

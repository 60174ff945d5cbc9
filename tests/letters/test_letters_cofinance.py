"""Co-finance letters: amounts, currencies and rates, materialisation, and the funder's table loaded."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from letters_support import cofinance_form, count
from sqlalchemy import func, select

from crm.clock import today
from crm.errors import UserError
from crm.extensions import db
from crm.letters import cofinance
from crm.letters.materialisations import figures
from crm.models import Letter, Materialisation, Organisation


@pytest.fixture(autouse=True)
def _english():
    """Labels and messages built outside a request are checked in English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


CSV = Path(__file__).resolve().parents[2] / "crm" / "demo" / "data" / "cofinance_commitments_2021.csv"


def new_url(org) -> str:
    """Return the new-letter address for an organisation."""
    return f"/letters/new?organisation_id={org.id}"


def only_letter() -> Letter:
    """Return the one letter in the database, freshly loaded."""
    db.session.expire_all()
    return db.session.scalars(select(Letter)).one()


def rows() -> list[dict[str, str]]:
    """Return the rows of the mid-term review's co-finance table."""
    with open(CSV, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- the letter form ----------------------------------------------------------------------------------


def test_usd_letter_forces_the_rate_to_one(client, login, world):
    login(world.staff)
    response = client.post(
        new_url(world.company), data=cofinance_form(amount="1,250,000.50", exchange_rate="3.8")
    )
    assert response.status_code == 302
    letter = only_letter()
    assert (letter.amount, letter.currency, letter.exchange_rate) == (
        Decimal("1250000.50"),
        "USD",
        Decimal(1),
    )
    assert letter.amount_usd == Decimal("1250000.50")
    assert (letter.cofinance_type, letter.cofinancier_type, letter.component) == ("equity", "private", 2)


def test_pen_letter_is_converted_to_usd_by_the_service(client, login, world):
    login(world.staff)
    data = cofinance_form(amount="100000,00", currency="PEN", exchange_rate="0,266667", amount_usd="1")
    assert client.post(new_url(world.company), data=data).status_code == 302
    letter = only_letter()
    assert letter.exchange_rate == Decimal("0.266667")
    assert letter.amount_usd == Decimal("26666.70")  # 100000 × 0.266667, rounded to cents
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "100,000.00" in page and "26,666.70" in page


def test_a_rate_in_soles_per_dollar_as_quoted_in_peru_is_understood_and_shown_so(client, login, world):
    login(world.staff)
    data = cofinance_form(amount="100000.00", currency="PEN", exchange_rate="3.75")
    assert client.post(new_url(world.company), data=data).status_code == 302
    letter = only_letter()
    assert letter.exchange_rate == Decimal("0.266667")  # stored as dollars per sol, like every letter
    assert letter.amount_usd == Decimal("26666.70")
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "S/ 3.75 per US$" in page  # (world.staff reads English)
    form = client.get(f"/letters/{letter.id}/edit").get_data(as_text=True)
    assert 'value="3.75"' in form  # the edit form speaks the same convention


@given(soles=st.decimals(min_value=Decimal("1.5"), max_value=Decimal("9.9999"), places=4))
def test_both_conventions_give_the_same_rate(soles):
    from crm.letters.rules import checked_rate, soles_per_dollar

    stored = checked_rate("PEN", soles)
    assert stored == (1 / soles).quantize(Decimal("0.000001"))
    assert abs(soles_per_dollar(stored) - soles) <= Decimal("0.0003") * soles  # shown back as typed
    assert checked_rate("PEN", stored) == stored  # dollars per sol is kept as it is


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "-5000"}, "The amount must be more than zero"),
        ({"amount": "0"}, "The amount must be more than zero"),
        ({"amount": ""}, "Enter the amount"),
        ({"amount": "diez mil"}, "Enter a number"),
        ({"amount": "NaN"}, "Enter a number"),
        ({"amount": "1,500"}, "without thousands separators"),
        ({"amount": "1" * 20}, "The amount is too large"),
        ({"currency": "EUR"}, "Choose the currency: US dollars (USD) or Peruvian soles (PEN)"),
        ({"currency": ""}, "Choose the currency"),
        ({"currency": "PEN"}, "Enter the exchange rate to US dollars"),
        ({"currency": "PEN", "exchange_rate": "-0.27"}, "The exchange rate must be a positive number"),
        ({"currency": "PEN", "exchange_rate": "0"}, "The exchange rate must be a positive number"),
        ({"cofinance_type": "donation"}, "Choose the type of co-finance"),
        ({"cofinancier_type": ""}, "Choose the type of co-financier"),
        ({"component": "7"}, "Choose a project component from 1 to 5"),
    ],
)
def test_bad_cofinance_values_are_refused(client, login, world, changes, message):
    login(world.staff)
    response = client.post(new_url(world.company), data=cofinance_form(**changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Letter) == 0


def test_other_kinds_carry_no_amount(client, login, world):
    login(world.staff)
    data = cofinance_form(kind="cooperation", currency="EUR", amount="-1")
    assert client.post(new_url(world.company), data=data).status_code == 302
    letter = only_letter()
    assert letter.kind == "cooperation"
    assert (letter.amount, letter.currency, letter.amount_usd, letter.cofinance_type) == (None,) * 4


# --- materialisation ----------------------------------------------------------------------------------


def entry(client, letter, **values):
    """Post a materialisation entry for the letter."""
    data = {"occurred_on": today().isoformat(), "amount": "", "note": ""}
    data.update(values)
    return client.post(f"/letters/{letter.id}/materialisations", data=data)


def test_materialisation_and_pending_in_usd(client, login, world, make_letter):
    letter = make_letter(world.company, "cofinance", "signed", amount="40000", signed_on=today())
    login(world.staff)
    assert entry(client, letter, amount="30000", note="Factura 001").status_code == 302
    assert entry(client, letter, amount="15500.00", note="Acta de entrega").status_code == 302
    assert count(Materialisation) == 2
    assert figures([letter.id])[letter.id].pending_usd == Decimal("-5500.00")  # more than committed
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "45,500.00" in page and "-5,500.00" in page and "Factura 001" in page
    assert "More has materialised than was committed" in page


def test_materialisation_uses_the_letters_rate(client, login, world, make_letter):
    letter = make_letter(
        world.company, "cofinance", "signed", amount="10000", currency="PEN", exchange_rate="0.25",
        signed_on=today(),
    )  # fmt: skip
    login(world.staff)
    assert entry(client, letter, amount="4000").status_code == 302
    stored = db.session.scalars(select(Materialisation)).one()
    assert (stored.amount, stored.amount_usd) == (Decimal("4000.00"), Decimal("1000.00"))
    result = figures([letter.id])[letter.id]
    assert (result.committed_usd, result.materialised_usd, result.pending_usd) == (
        Decimal("2500.00"),
        Decimal("1000.00"),
        Decimal("1500.00"),
    )
    assert (result.committed, result.materialised, result.pending) == (
        Decimal("10000.00"),
        Decimal("4000.00"),
        Decimal("6000.00"),
    )


def test_rate_change_reprices_materialisation(client, login, world, make_letter):
    letter = make_letter(
        world.company, "cofinance", "signed", amount="10000", currency="PEN", exchange_rate="0.25",
        signed_on=today() - timedelta(days=3),
    )  # fmt: skip
    login(world.staff)
    entry(client, letter, amount="4000")
    db.session.expire_all()
    letter = db.session.get(Letter, letter.id)
    data = cofinance_form(
        amount="10000", currency="PEN", exchange_rate="0.3", signed_on=letter.signed_on.isoformat(),
        version=letter.version_id,
    )  # fmt: skip
    assert client.post(f"/letters/{letter.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Materialisation.amount_usd)).one() == Decimal("1200.00")
    assert db.session.get(Letter, letter.id).amount_usd == Decimal("3000.00")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"amount": "-100"}, "The amount cannot be negative"),
        ({"amount": ""}, "Enter the amount"),
        ({"amount": "100", "occurred_on": ""}, "Enter the date"),
        ({"amount": "100", "occurred_on": "2999-01-01"}, "This date is in the future"),
    ],
)
def test_bad_materialisation_is_refused(client, login, world, make_letter, values, message):
    letter = make_letter(world.company, "cofinance", "signed", signed_on=today())
    login(world.staff)
    response = entry(client, letter, **values)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Materialisation) == 0


def test_only_cofinance_letters_materialise(client, login, world, make_letter):
    letter = make_letter(world.company)
    login(world.staff)
    response = entry(client, letter, amount="100")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Only co-finance letters" in page
    assert count(Materialisation) == 0


def test_remove_materialisation_only_from_its_letter(client, login, world, make_letter):
    first = make_letter(world.company, "cofinance", "signed", signed_on=today())
    second = make_letter(world.company, "cofinance", "signed", signed_on=today())
    login(world.staff)
    entry(client, first, amount="100")
    entry_id = db.session.scalars(select(Materialisation.id)).one()
    assert client.post(f"/letters/{second.id}/materialisations/{entry_id}/delete").status_code == 404
    assert client.post(f"/letters/{first.id}/materialisations/{2**40}/delete").status_code == 404
    assert count(Materialisation) == 1
    assert client.post(f"/letters/{first.id}/materialisations/{entry_id}/delete").status_code == 302
    assert count(Materialisation) == 0


def test_kind_cannot_change_while_entries_exist(client, login, world, make_letter):
    letter = make_letter(world.company, "cofinance", "signed", signed_on=today())
    login(world.staff)
    entry(client, letter, amount="100")
    db.session.expire_all()
    version = db.session.get(Letter, letter.id).version_id
    data = cofinance_form(kind="interest", signed_on=today().isoformat(), version=version)
    response = client.post(f"/letters/{letter.id}/edit", data=data)
    assert response.status_code == 400
    assert "Remove the materialisation entries" in response.get_data(as_text=True)
    assert only_letter().kind == "cofinance"


# --- the funder's table -------------------------------------------------------------------------------


def sums() -> tuple:
    """Return committed, materialised and pending over all co-finance letters, summed by the database."""
    result = cofinance.totals()
    return result.letters, result.committed, result.materialised, result.pending


def test_loading_the_mid_term_table_reproduces_its_totals(world):
    counts = cofinance.load_commitments(rows(), world.staff.id, today())
    db.session.commit()
    assert counts["rows"] == 40 and counts["letters"] == 40 and counts["skipped"] == 0
    assert counts["materialisations"] == 10  # rows with something materialised
    assert sums() == (40, Decimal("52029264.00"), Decimal("9737523.00"), Decimal("42291741.00"))
    assert count(Letter) == 40
    assert db.session.scalar(select(func.count()).where(Letter.status == "signed")) == 40
    onudi = db.session.scalars(select(Organisation).where(Organisation.legal_name == "ONUDI")).one()
    assert onudi.kind == "implementing_agency"
    types = db.session.scalars(select(Letter.cofinance_type).where(Letter.organisation_id == onudi.id))
    assert sorted(types) == ["grant", "in_kind"]


def test_loading_twice_adds_nothing(world):
    cofinance.load_commitments(rows(), world.staff.id, today())
    again = cofinance.load_commitments(rows(), world.staff.id, today())
    assert again["letters"] == 0 and again["skipped"] == 40 and again["organisations_created"] == 0
    assert sums()[0] == 40


def test_rows_match_existing_organisations_by_normalised_name(world, make_org):
    produce = make_org("Ministerio de la Producción", kind="government", trade_name="PRODUCE")
    sni = make_org("Sociedad Nacional de Industrias", kind="association", trade_name="SNI")
    seco = make_org("Secretaría de Estado para Asuntos Económicos", kind="donor", trade_name="SECO")
    before = count(Organisation)
    counts = cofinance.load_commitments(rows(), world.staff.id, today())
    assert counts["organisations_matched"] >= 3
    assert count(Organisation) == before + counts["organisations_created"]
    for org, amount in ((produce, "1014000.00"), (sni, "345600.00"), (seco, "5000000.00")):
        assert db.session.scalars(
            select(Letter.amount_usd).where(Letter.organisation_id == org.id)
        ).one() == (Decimal(amount))
    tasa = db.session.scalars(select(Organisation).where(Organisation.legal_name == "TASA")).one()
    assert tasa.kind == "company"
    renasa = db.session.scalars(select(Organisation).where(Organisation.trade_name == "RENASA")).one()
    assert renasa.legal_name == "REACTIVOS NACIONALES S.A."


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"cofinance_type": "barter"}, "unknown cofinance_type"),
        ({"cofinancier_type": "alien"}, "unknown cofinancier_type"),
        ({"committed_usd": "-10"}, "committed_usd must be an amount greater than zero"),
        ({"committed_usd": "0"}, "committed_usd must be an amount greater than zero"),
        ({"committed_usd": "1e40"}, "committed_usd must be an amount greater than zero"),
        ({"committed_usd": ""}, "committed_usd is empty"),
        ({"materialized_usd": "abc"}, "materialized_usd must be an amount, zero or more"),
        ({"materialized_usd": "-1"}, "materialized_usd must be an amount, zero or more"),
        ({"source": " "}, "the source is empty"),
    ],
)
def test_a_bad_row_writes_nothing(world, bad, message):
    table = rows()
    table[7] = {**table[7], **bad}
    with pytest.raises(UserError, match=f"Row 9: {message}"):
        cofinance.load_commitments(table, world.staff.id, today())
    assert count(Letter) == 0 and count(Organisation) == 2


def test_spanish_and_loose_type_spellings(world):
    row = {
        "source": "Fundición Callao SAC",
        "cofinancier_type": "Privado",
        "cofinance_type": "En especie",
        "committed_usd": "1000",
        "materialized_usd": "",
    }
    counts = cofinance.load_commitments([row], world.staff.id, today())
    assert counts["organisations_matched"] == 1 and counts["materialisations"] == 0
    letter = only_letter()
    assert (letter.organisation_id, letter.cofinance_type, letter.cofinancier_type) == (
        world.company.id,
        "in_kind",
        "private",
    )


def test_list_shows_totals_of_the_table(client, login, world):
    cofinance.load_commitments(rows(), world.staff.id, today())
    db.session.commit()
    login(world.viewer)
    page = client.get("/letters/?kind=cofinance").get_data(as_text=True)
    assert "52,029,264.00" in page and "9,737,523.00" in page and "42,291,741.00" in page
    assert "40 letters found" in page

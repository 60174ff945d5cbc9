"""The rules every letter obeys: status and date consistency, references, co-finance amounts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import (
    COFINANCE_TYPES,
    COFINANCIER_TYPES,
    COMPONENTS,
    CURRENCIES,
    LETTER_KINDS,
    LETTER_STATUSES,
    Contact,
    Programme,
)
from crm.permissions import MAX_ID

CENT = Decimal("0.01")
RATE_STEP = Decimal("0.000001")
MAX_AMOUNT = Decimal("99999999999999.99")  # Numeric(16, 2)
MAX_RATE = Decimal("999999.999999")  # Numeric(12, 6)
ONE = Decimal("1")
# Columns only co-finance letters carry (amount_usd is computed, never typed).
COFINANCE_COLUMNS = (
    "amount",
    "currency",
    "exchange_rate",
    "amount_usd",
    "cofinance_type",
    "cofinancier_type",
    "component",
)


@dataclass
class LetterValues:
    """What a user (or an import) wants a letter to say."""

    kind: str
    status: str
    programme_id: int | None = None
    requested_on: date | None = None
    received_on: date | None = None
    signed_on: date | None = None
    expires_on: date | None = None
    signatory_id: int | None = None
    notes: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    exchange_rate: Decimal | None = None
    cofinance_type: str | None = None
    cofinancier_type: str | None = None
    component: int | None = None


def soles_per_dollar(rate: Decimal | None) -> Decimal | None:
    """Return a stored rate (dollars per sol) as Peru quotes it, soles per dollar, to 4 decimals."""
    return (ONE / rate).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if rate else None


def usd(amount: Decimal, rate: Decimal) -> Decimal:
    """Return amount × rate rounded to cents, as stored in amount_usd."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


# --- rules ---------------------------------------------------------------------------------------------


def check_choices(values: LetterValues) -> None:
    """Refuse a kind or status no form offers."""
    if values.kind not in LETTER_KINDS:
        raise UserError(_("Choose the kind of letter."), "kind")
    if values.status not in LETTER_STATUSES:
        raise UserError(_("Choose the status of the letter."), "status")


def check_not_future(values: LetterValues, today: date) -> None:
    """Refuse request, receipt and signing dates after today (only the expiry may lie ahead)."""
    for field in ("requested_on", "received_on", "signed_on"):
        value = getattr(values, field)
        if value is not None and value > today:
            raise UserError(_("This date is in the future. Enter the date it happened."), field)


def check_status_dates(values: LetterValues, today: date) -> None:
    """Each status needs its date; a letter still requested has no receipt or signing date."""
    needed = {
        "requested": ("requested_on", _("A requested letter needs the date it was requested.")),
        "received": ("received_on", _("A received letter needs the date it was received.")),
        "signed": ("signed_on", _("A signed letter needs the date it was signed.")),
        "expired": ("expires_on", _("An expired letter needs its expiry date.")),
    }
    if values.status in needed:
        field, message = needed[values.status]
        if getattr(values, field) is None:
            raise UserError(message, field)
    if values.status == "requested" and (values.received_on or values.signed_on):
        field = "received_on" if values.received_on else "signed_on"
        raise UserError(_("A letter with this date is no longer requested: change its status."), field)
    if values.status == "expired" and values.expires_on and values.expires_on > today:
        raise UserError(_("The expiry date has not been reached yet."), "expires_on")


def check_date_order(values: LetterValues) -> None:
    """Receipt and signing come after the request; expiry comes after signing."""
    requested, received, signed = values.requested_on, values.received_on, values.signed_on
    if requested and received and received < requested:
        raise UserError(_("The letter cannot be received before it was requested."), "received_on")
    if requested and signed and signed < requested:
        raise UserError(_("The letter cannot be signed before it was requested."), "signed_on")
    if signed and values.expires_on and values.expires_on <= signed:
        raise UserError(_("The expiry date must be after the signing date."), "expires_on")


def check_references(org_id: int, values: LetterValues) -> None:
    """The programme must exist and the signatory must be a contact of this organisation."""
    if values.programme_id is not None and not row_exists(Programme, values.programme_id):
        raise UserError(_("Choose a programme from the list."), "programme_id")
    if values.signatory_id is not None and not is_contact_of(values.signatory_id, org_id):
        raise UserError(_("The signatory must be a contact of this organisation."), "signatory_id")


def row_exists(model: Any, ident: int) -> bool:
    """Return whether a row with this id exists (odd ids never do)."""
    if not 0 < ident <= MAX_ID:
        return False
    return bool(db.session.scalar(select(exists().where(model.id == ident))))


def is_contact_of(contact_id: int, org_id: int) -> bool:
    """Return whether the contact works at the organisation."""
    if not 0 < contact_id <= MAX_ID:
        return False
    query = select(Contact.id).where(Contact.id == contact_id, Contact.organisation_id == org_id)
    return db.session.scalar(query) is not None


# --- co-finance ----------------------------------------------------------------------------------------


def checked_amount(value: Decimal | None, field: str, allow_zero: bool = False) -> Decimal:
    """Return a money amount rounded to cents, refusing blanks, negatives and overflow."""
    if value is None:
        raise UserError(_("Enter the amount."), field)
    if value < 0 or (value == 0 and not allow_zero):
        message = (
            _("The amount cannot be negative.") if allow_zero else _("The amount must be more than zero.")
        )
        raise UserError(message, field)
    if value > MAX_AMOUNT:
        raise UserError(_("The amount is too large."), field)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def checked_rate(currency: str, rate: Decimal | None) -> Decimal:
    """Return the rate to USD: 1 for dollars; for soles, soles per dollar (3.75) or dollars per sol."""
    if currency == "USD":
        return ONE
    if rate is None:
        raise UserError(_("Enter the exchange rate to US dollars on the commitment date."), "exchange_rate")
    if rate <= 0 or rate > MAX_RATE:
        raise UserError(_("The exchange rate must be a positive number."), "exchange_rate")
    if currency == "PEN" and rate >= 1:  # a sol was never worth a dollar: soles per dollar, as Peru quotes it
        rate = ONE / rate
    rounded = rate.quantize(RATE_STEP, rounding=ROUND_HALF_UP)
    if rounded == 0:
        raise UserError(_("The exchange rate must be a positive number."), "exchange_rate")
    return rounded


def cofinance_columns(values: LetterValues) -> dict[str, Any]:
    """Return the co-finance columns: all empty for other kinds, checked and converted for co-finance."""
    if values.kind != "cofinance":
        return dict.fromkeys(COFINANCE_COLUMNS)
    amount = checked_amount(values.amount, "amount")
    if values.currency not in CURRENCIES:
        raise UserError(_("Choose the currency: US dollars (USD) or Peruvian soles (PEN)."), "currency")
    rate = checked_rate(values.currency, values.exchange_rate)
    amount_usd = usd(amount, rate)
    if amount_usd > MAX_AMOUNT:
        raise UserError(_("The amount is too large."), "amount")
    if values.cofinance_type not in COFINANCE_TYPES:
        raise UserError(_("Choose the type of co-finance."), "cofinance_type")
    if values.cofinancier_type not in COFINANCIER_TYPES:
        raise UserError(_("Choose the type of co-financier."), "cofinancier_type")
    if values.component is not None and values.component not in COMPONENTS:
        raise UserError(_("Choose a project component from 1 to 5."), "component")
    return {
        "amount": amount,
        "currency": values.currency,
        "exchange_rate": rate,
        "amount_usd": amount_usd,
        "cofinance_type": values.cofinance_type,
        "cofinancier_type": values.cofinancier_type,
        "component": values.component,
    }


def checked_columns(org_id: int, values: LetterValues, today: date) -> dict[str, Any]:
    """Apply every rule and return the letter's column values."""
    check_choices(values)
    check_not_future(values, today)
    check_status_dates(values, today)
    check_date_order(values)
    check_references(org_id, values)
    columns = {k: v for k, v in asdict(values).items() if k not in COFINANCE_COLUMNS}
    columns["notes"] = (values.notes or "").strip() or None
    columns.update(cofinance_columns(values))
    return columns

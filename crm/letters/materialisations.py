"""Materialisation entries of co-finance letters and each letter's committed / materialised / pending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.letters.services import checked_amount, usd
from crm.models import Letter, Materialisation, utcnow
from crm.permissions import MAX_ID

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Figures:
    """A co-finance letter's amounts: in USD and in the letter's own currency."""

    committed_usd: Decimal
    materialised_usd: Decimal
    pending_usd: Decimal
    committed: Decimal
    materialised: Decimal
    pending: Decimal


def conflict_message() -> str:
    """Return what to say when someone changed the letter at the same moment (after discarding the work)."""
    return _("Someone else changed this letter at the same time. Nothing was saved; try again.")


def bump(letter: Letter) -> None:
    """Give the letter a new version, so an edit form loaded before this change conflicts."""
    letter.updated_at = utcnow()


def add_materialisation(
    letter: Letter, occurred_on: date | None, amount: Decimal | None, note: str | None, today: date
) -> Materialisation:
    """Record an amount disbursed or delivered; its USD value uses the letter's exchange rate."""
    if letter.kind != "cofinance" or letter.exchange_rate is None:
        raise UserError(_("Only co-finance letters with an amount have materialisation entries."))
    if occurred_on is None:
        raise UserError(_("Enter the date (YYYY-MM-DD)."), "occurred_on")
    if occurred_on > today:
        raise UserError(_("This date is in the future. Enter the date it happened."), "occurred_on")
    value = checked_amount(amount, "amount", allow_zero=True)
    entry = Materialisation(
        letter=letter,
        occurred_on=occurred_on,
        amount=value,
        amount_usd=usd(value, letter.exchange_rate),
        note=(note or "").strip() or None,
    )
    db.session.add(entry)
    flush_with_bump(letter)
    return entry


def remove_materialisation(letter: Letter, entry_id: int) -> bool:
    """Delete one of the letter's entries; return False when the letter has no such entry."""
    if not 0 < entry_id <= MAX_ID:
        return False
    query = select(Materialisation).where(
        Materialisation.id == entry_id, Materialisation.letter_id == letter.id
    )
    entry = db.session.scalars(query).first()
    if entry is None:
        return False
    db.session.delete(entry)
    flush_with_bump(letter)
    return True


def flush_with_bump(letter: Letter) -> None:
    """Flush the entry change together with a new letter version; a concurrent edit is a StaleEditError."""
    bump(letter)
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleEditError() from None


def figures_query(letter_ids: list[int]):
    """Select each letter's committed, materialised and pending amounts, summed in SQL."""
    sums = (
        select(
            Materialisation.letter_id,
            func.sum(Materialisation.amount_usd).label("usd"),
            func.sum(Materialisation.amount).label("own"),
        )
        .group_by(Materialisation.letter_id)
        .subquery()
    )
    done_usd = func.coalesce(sums.c.usd, ZERO)
    done = func.coalesce(sums.c.own, ZERO)
    return (
        select(
            Letter.id,
            Letter.amount_usd,
            done_usd,
            Letter.amount_usd - done_usd,
            Letter.amount,
            done,
            Letter.amount - done,
        )
        .outerjoin(sums, sums.c.letter_id == Letter.id)
        .where(Letter.id.in_(letter_ids), Letter.amount_usd.is_not(None))
    )


def figures(letter_ids: list[int]) -> dict[int, Figures]:
    """Return the amounts of the given co-finance letters (one grouped query)."""
    if not letter_ids:
        return {}
    rows = db.session.execute(figures_query(letter_ids)).all()
    return {row[0]: Figures(*(cents(v) for v in row[1:])) for row in rows}


def cents(value: object) -> Decimal:
    """Return a database sum as Decimal cents (SQLite may hand back floats)."""
    return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))

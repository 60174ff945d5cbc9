"""Co-finance totals in SQL, and loading commitment tables laid out like the funder's annex.

load_commitments() is shared by the demo seed, the reports tests and the import: each row
(source, cofinancier_type, cofinance_type, committed_usd, materialized_usd) matches or creates the
organisation and records a signed USD co-finance letter with one materialisation entry when
something materialised. A row whose letter already exists (same organisation, types and committed
amount) is skipped, so loading the same table twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from crm.errors import UserError
from crm.extensions import db
from crm.letters.materialisations import ZERO, add_materialisation, cents
from crm.letters.rules import MAX_AMOUNT
from crm.letters.services import LetterValues, create_letter
from crm.models import Letter, Materialisation, Organisation
from crm.models.organisation import OrgKind
from crm.organisations.services import create_organisation
from crm.text import fold, like_pattern

# Co-financier type → kind of organisation created for an unknown source.
ORG_KINDS = {
    "private": OrgKind.COMPANY,
    "government": OrgKind.GOVERNMENT,
    "donor": OrgKind.DONOR,
    "industrial_association": OrgKind.ASSOCIATION,
    "implementing_agency": OrgKind.IMPLEMENTING_AGENCY,
}
# Spellings seen in the funder's tables and in Spanish sheets → model codes.
COFINANCE_ALIASES = {
    "equity": "equity", "cash": "equity", "equity_cash": "equity", "efectivo": "equity", "capital": "equity",
    "in_kind": "in_kind", "inkind": "in_kind", "en_especie": "in_kind", "especie": "in_kind",
    "grant": "grant", "donacion": "grant", "subvencion": "grant",
    "loan": "loan", "prestamo": "loan", "credito": "loan",
}  # fmt: skip
COFINANCIER_ALIASES = {
    "private": "private", "privado": "private", "empresa": "private",
    "government": "government", "gobierno": "government", "public": "government", "publico": "government",
    "donor": "donor", "donante": "donor", "cooperante": "donor",
    "industrial_association": "industrial_association", "association": "industrial_association",
    "asociacion_industrial": "industrial_association", "gremio": "industrial_association",
    "implementing_agency": "implementing_agency", "agencia_implementadora": "implementing_agency",
}  # fmt: skip
_ACRONYM = re.compile(r"^(.*?)\s*\(([^)]*)\)\s*$")
_SEPARATORS = re.compile(r"[\s\-/]+")


@dataclass(frozen=True)
class Totals:
    """Committed, materialised and pending USD over a set of co-finance letters."""

    letters: int
    committed: Decimal
    materialised: Decimal
    pending: Decimal


@dataclass(frozen=True)
class Commitment:
    """One checked row of a commitment table."""

    row: int
    name: str
    acronym: str | None
    cofinancier_type: str
    cofinance_type: str
    committed: Decimal
    materialised: Decimal


# --- totals --------------------------------------------------------------------------------------------


def totals(*conditions: Any) -> Totals:
    """Return the sums over co-finance letters matching the conditions, computed in SQL."""
    sums = (
        select(Materialisation.letter_id, func.sum(Materialisation.amount_usd).label("usd"))
        .group_by(Materialisation.letter_id)
        .subquery()
    )
    done = func.coalesce(sums.c.usd, ZERO)
    query = (
        select(
            func.count(Letter.id),
            func.coalesce(func.sum(Letter.amount_usd), ZERO),
            func.coalesce(func.sum(done), ZERO),
            func.coalesce(func.sum(Letter.amount_usd - done), ZERO),
        )
        .outerjoin(sums, sums.c.letter_id == Letter.id)
        .where(Letter.kind == "cofinance", Letter.amount_usd.is_not(None), *conditions)
    )
    count, committed, materialised, pending = db.session.execute(query).one()
    return Totals(count, cents(committed), cents(materialised), cents(pending))


# --- reading rows --------------------------------------------------------------------------------------


def code(raw: Any) -> str:
    """Return a type as written in a sheet as a lookup key: 'In-kind' → 'in_kind'."""
    return _SEPARATORS.sub("_", fold(str(raw or ""))).strip("_")


def money(raw: Any, row: int, column: str, required: bool) -> Decimal:
    """Return a non-negative USD amount from a cell (plain digits with an optional decimal point)."""
    text = str(raw).strip().replace(" ", "") if raw is not None else ""
    if not text:
        if required:
            raise UserError(_("Row %(row)s: %(column)s is empty.", row=row, column=column))
        return ZERO
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT or (required and value == 0):
        if required:
            message = _(
                "Row %(row)s: %(column)s must be an amount greater than zero.", row=row, column=column
            )
        else:
            message = _("Row %(row)s: %(column)s must be an amount, zero or more.", row=row, column=column)
        raise UserError(message)
    return value.quantize(Decimal("0.01"))


def lookup(aliases: Mapping[str, str], raw: Any, row: int, column: str) -> str:
    """Return the model code of a type cell, or refuse the row."""
    key = aliases.get(code(raw))
    if key is None:
        raise UserError(_("Row %(row)s: unknown %(column)s “%(value)s”.", row=row, column=column, value=raw))
    return key


def split_acronym(source: str) -> tuple[str, str | None]:
    """Split 'NAME (ACRONYM)' into the name and the acronym."""
    match = _ACRONYM.match(source.strip())
    return (match.group(1).strip(), match.group(2).strip() or None) if match else (source.strip(), None)


def commitment(row: Mapping[str, Any], number: int) -> Commitment:
    """Check one row and return it as a Commitment."""
    source = str(row.get("source") or "").strip()
    if not source:
        raise UserError(_("Row %(row)s: the source is empty.", row=number))
    name, acronym = split_acronym(source)
    if len(name) > 200 or len(acronym or "") > 200:
        raise UserError(_("Row %(row)s: the source name is too long.", row=number))
    return Commitment(
        row=number,
        name=name,
        acronym=acronym,
        cofinancier_type=lookup(COFINANCIER_ALIASES, row.get("cofinancier_type"), number, "cofinancier_type"),
        cofinance_type=lookup(COFINANCE_ALIASES, row.get("cofinance_type"), number, "cofinance_type"),
        committed=money(row.get("committed_usd"), number, "committed_usd", required=True),
        materialised=money(row.get("materialized_usd"), number, "materialized_usd", required=False),
    )


# --- matching ------------------------------------------------------------------------------------------


def name_key(name: str | None) -> str:
    """Return the matching key of a name: folded, without a trailing '(ACRONYM)'."""
    return fold(split_acronym(name)[0]) if name else ""


def match_rank(org: Organisation, key: str, acronym: str) -> int | None:
    """Rank how an organisation matches: legal name first, then trade name, then acronym; None if not."""
    if name_key(org.legal_name) == key:
        return 0
    if fold(org.trade_name) == key:
        return 1
    if acronym and fold(org.trade_name) == acronym:
        return 2
    return None


def find_organisation(item: Commitment) -> Organisation | None:
    """Return the organisation whose normalised legal or trade name is the row's source."""
    key, acronym = fold(item.name), fold(item.acronym)
    terms = [Organisation.search_text.like(like_pattern(key), escape="\\")]
    if acronym:
        terms.append(Organisation.search_text.like(like_pattern(acronym), escape="\\"))
    candidates = db.session.scalars(select(Organisation).where(or_(*terms)).order_by(Organisation.id))
    ranked = [(match_rank(org, key, acronym), org.id, org) for org in candidates.unique()]
    matches = [r for r in ranked if r[0] is not None]
    return min(matches, key=lambda r: (r[0], r[1]))[2] if matches else None


def new_organisation(item: Commitment) -> Organisation:
    """Create the organisation of an unknown source, its kind following the co-financier type."""
    values = {"kind": ORG_KINDS[item.cofinancier_type], "legal_name": item.name, "trade_name": item.acronym}
    try:
        return create_organisation(values)
    except UserError as exc:
        raise UserError(_("Row %(row)s: %(problem)s", row=item.row, problem=exc.message)) from None


def already_recorded(org_id: int, item: Commitment) -> bool:
    """Return whether the organisation already has this commitment as a co-finance letter."""
    query = select(Letter.id).where(
        Letter.organisation_id == org_id,
        Letter.kind == "cofinance",
        Letter.cofinance_type == item.cofinance_type,
        Letter.cofinancier_type == item.cofinancier_type,
        Letter.amount_usd == item.committed,
    )
    return db.session.scalars(query).first() is not None


# --- loading -------------------------------------------------------------------------------------------


def record(org: Organisation, item: Commitment, user_id: int | None, today: date) -> bool:
    """Record the row's signed USD letter and its materialisation; return whether one was added."""
    values = LetterValues(
        kind="cofinance",
        status="signed",
        signed_on=today,
        amount=item.committed,
        currency="USD",
        exchange_rate=Decimal(1),
        cofinance_type=item.cofinance_type,
        cofinancier_type=item.cofinancier_type,
    )
    try:
        letter = create_letter(org.id, values, user_id, today)
        if item.materialised > 0:
            note = _("Materialised amount reported in the co-finance table.")
            add_materialisation(letter, today, item.materialised, note, today)
    except UserError as exc:
        raise UserError(_("Row %(row)s: %(problem)s", row=item.row, problem=exc.message)) from None
    return item.materialised > 0


def load_commitments(rows: Iterable[Mapping[str, Any]], user_id: int | None, today: date) -> dict[str, int]:
    """Load commitment rows as signed co-finance letters; flush, never commit; return the counts.

    Every row is checked before anything is written (a UserError names the row, counting the
    header as row 1). Counts: rows, letters, materialisations, organisations_created,
    organisations_matched, skipped (rows already recorded).
    """
    items = [commitment(row, number) for number, row in enumerate(rows, start=2)]
    counts = dict.fromkeys(
        ("rows", "letters", "materialisations", "organisations_created", "organisations_matched", "skipped"),
        0,
    )
    counts["rows"] = len(items)
    for item in items:
        org = find_organisation(item)
        counts["organisations_matched" if org else "organisations_created"] += 1
        org = org or new_organisation(item)
        if already_recorded(org.id, item):
            counts["skipped"] += 1
            continue
        counts["materialisations"] += record(org, item, user_id, today)
        counts["letters"] += 1
    db.session.flush()
    return counts

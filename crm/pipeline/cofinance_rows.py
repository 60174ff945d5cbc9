"""The cofinance_lines rows (crm.models.cofinance_lines) an organisation's letters imply.

crm.pipeline.company_reach keeps them with its other per-organisation tables: recomputed in the flush of
every change of a letter, a materialisation or the organisation's filter columns, and by the rebuild.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal, select, union_all

from crm.models import Letter, Materialisation, Organisation
from crm.pipeline.tallies import EVERY_PROGRAMME

COPIED = ("kind", "sector_id", "district_id", "owner_id")
LINE_COLUMNS = ("organisation_id", "programme_key", "cofinancier_type", "cofinance_type", "committed")
LINE_COLUMNS += ("materialised", "first_letter_id", *COPIED)


def signed_letters(organisation_ids: Any) -> Any:
    """Return a subquery of the signed co-finance letters (of these organisations, or all) with their USD."""
    done = func.coalesce(func.sum(Materialisation.amount_usd), 0).label("materialised")
    committed = func.coalesce(Letter.amount_usd, 0).label("committed")
    query = select(Letter.id, Letter.organisation_id, Letter.programme_id, Letter.cofinancier_type)
    query = query.add_columns(Letter.cofinance_type, committed, done)
    query = query.outerjoin(Materialisation, Materialisation.letter_id == Letter.id)
    query = query.where(Letter.kind == "cofinance", Letter.status == "signed")
    if organisation_ids is not None:
        query = query.where(Letter.organisation_id.in_(organisation_ids))
    return query.group_by(Letter.id).subquery("signed")


def line_rows(organisation_ids: Any = None) -> Any:
    """Select the cofinance_lines rows: the letters summed per organisation, key and types."""
    signed = signed_letters(organisation_ids)
    head = (signed.c.id, signed.c.organisation_id, signed.c.cofinancier_type, signed.c.cofinance_type)
    money = (signed.c.committed, signed.c.materialised)
    own = select(*head, signed.c.programme_id.label("programme_key"), *money)
    own = own.where(signed.c.programme_id.is_not(None))
    keyed = union_all(own, select(*head, literal(EVERY_PROGRAMME), *money)).subquery("keyed")
    keys = (keyed.c.organisation_id, keyed.c.programme_key, keyed.c.cofinancier_type, keyed.c.cofinance_type)
    sums = (func.sum(keyed.c.committed), func.sum(keyed.c.materialised), func.min(keyed.c.id))
    copies = [getattr(Organisation, name) for name in COPIED]
    query = select(*keys, *sums, *copies).join(Organisation, Organisation.id == keyed.c.organisation_id)
    return query.group_by(*keys, *copies)

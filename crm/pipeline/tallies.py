"""The reach tallies (crm.models.tallies): company counts per report filter and grouping value, a ledger.

crm.pipeline.company_reach.refresh() calls record() with -1 before it replaces an organisation's
company_reach rows and with +1 after, on the flush's own connection: the counts change in the same
transaction as the move, merge, import or edit, and only by inserting rows (two transactions never wait
on the same count). compact() folds the ledger (the periodic job crm.pipeline.jobs.compact_reach_tallies).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, delete, func, insert, literal, select, true, union_all
from sqlalchemy.engine import Connection

from crm.models import SIZES
from crm.models.organisation import OrgKind
from crm.models.pipeline import CompanyReach
from crm.models.tallies import DISTRICT, FILTER_DIMENSIONS, GROUP_DIMENSIONS, OWNER, SECTOR, SIZE, ReachTally

KEY = ("programme_key", "filter_dim", "filter_value", "group_dim", "group_value", "top", "pending_top")
COLUMNS = (*KEY, "n")


def pairs() -> Any:
    """Return every (filter dimension, grouping dimension) pair as a small subquery to cross join."""
    rows = [
        select(literal(f).label("filter_dim"), literal(g).label("group_dim"))
        for f in FILTER_DIMENSIONS
        for g in GROUP_DIMENSIONS
    ]
    return union_all(*rows).subquery("pairs")


def size_rank(size: Any) -> Any:
    """Return a size's place in SIZES from 1, in SQL (NULL when none is recorded)."""
    return case({name: index for index, name in enumerate(SIZES, 1)}, value=size)


def value_of(dimension: Any, row: Any) -> Any:
    """Return the row's value of a dimension (NULL for none)."""
    values = {
        SECTOR: row.sector_id,
        DISTRICT: row.district_id,
        OWNER: row.owner_id,
        SIZE: size_rank(row.size),
    }
    return case(*[(dimension == key, value) for key, value in values.items()])


def tally_rows(sign: int, organisation_ids: Any) -> Any:
    """Select the signed counts of these organisations' company_reach rows (or all), one per key."""
    cr, both = CompanyReach, pairs()
    each = select(cr.programme_key, both.c.filter_dim, value_of(both.c.filter_dim, cr).label("filter_value"))
    each = each.add_columns(both.c.group_dim, value_of(both.c.group_dim, cr).label("group_value"))
    each = each.add_columns(cr.top, cr.pending_top).select_from(cr).join(both, true())
    each = each.where(cr.kind == OrgKind.COMPANY, cr.top.is_not(None))
    if organisation_ids is not None:
        each = each.where(cr.organisation_id.in_(organisation_ids))
    rows = each.subquery("each")
    keys = [rows.c[name] for name in KEY]
    return select(*keys, (func.count() * sign).label("n")).group_by(*keys)


def record_statement(organisation_ids: Any, sign: int) -> Any:
    """Return the INSERT that adds these organisations' company_reach rows to the tallies (+1) or takes
    them out (-1); organisation_ids may be an expanding bound parameter, None for every organisation."""
    return insert(ReachTally).from_select(COLUMNS, tally_rows(sign, organisation_ids))


def record(connection: Connection, organisation_ids: list[int] | None, sign: int) -> None:
    """Add these organisations' company_reach rows to the tallies (sign +1) or take them out (-1)."""
    connection.execute(record_statement(organisation_ids, sign))


def folded(rows: Any) -> Any:
    """Select one row per key with its summed count, keeping only the counts that are not 0."""
    keys = [rows.c[name] for name in KEY]
    total = func.sum(rows.c.n)
    return select(*keys, total).group_by(*keys).having(total != 0)


def compact(connection: Connection) -> None:
    """Fold every ledger row written so far into one per key (the sums are unchanged)."""
    t = ReachTally
    last = connection.scalar(select(func.max(t.id)))
    if last is None:
        return
    if connection.dialect.name == "postgresql":  # one statement, one snapshot: what it deletes, it adds
        gone = delete(t).where(t.id <= last).returning(*[t.__table__.c[c] for c in COLUMNS]).cte("gone")
        connection.execute(insert(t).from_select(COLUMNS, folded(gone)))
        return
    # SQLite: the INSERT takes the database's single write lock, so no row is added before the DELETE.
    connection.execute(insert(t).from_select(COLUMNS, folded(select(t).where(t.id <= last).subquery())))
    connection.execute(delete(t).where(t.id <= last))


def rebuild(connection: Connection) -> None:
    """Recompute every tally from company_reach."""
    connection.execute(delete(ReachTally))
    record(connection, None, 1)

"""The reach tallies (crm.models.tallies): company counts per report filter and grouping value, a ledger.

crm.pipeline.company_reach.refresh() calls record() with -1 before it replaces an organisation's
company_reach rows and with +1 after, on the flush's own connection: the counts change in the same
transaction as the move, merge, import or edit, and only by inserting rows (two transactions never wait
on the same count). compact() folds the ledger (the periodic job crm.pipeline.jobs.compact_reach_tallies).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, delete, func, insert, literal, or_, select, true, union, union_all
from sqlalchemy.engine import Connection

from crm.models import SIZES, Engagement, Membership
from crm.models.membership import MEMBER_STATUSES
from crm.models.organisation import OrgKind
from crm.models.pipeline import CompanyReach
from crm.models.tallies import (
    ASSOCIATION,
    DISTRICT,
    FILTER_DIMENSIONS,
    GROUP_DIMENSIONS,
    OWNER,
    SECTOR,
    SIZE,
    CompanyLink,
    ReachTally,
)

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


def value_of(dimension: Any, row: Any, link: Any = None) -> Any:
    """Return the row's value of a dimension (NULL for none); an association is the link's."""
    values = {
        SECTOR: row.sector_id,
        DISTRICT: row.district_id,
        OWNER: row.owner_id,
        SIZE: size_rank(row.size),
    }
    if link is not None:
        values[ASSOCIATION] = link.association_id
    return case(*[(dimension == key, value) for key, value in values.items()])


def link_rows(organisation_ids: Any = None) -> Any:
    """Select the company_links rows: each company's active memberships and referring associations."""
    members = select(Membership.company_id.label("organisation_id"), Membership.association_id)
    members = members.where(Membership.status.in_(MEMBER_STATUSES))
    referred = select(Engagement.organisation_id, Engagement.source_association_id)
    referred = referred.where(Engagement.source_association_id.is_not(None))
    if organisation_ids is not None:
        members = members.where(Membership.company_id.in_(organisation_ids))
        referred = referred.where(Engagement.organisation_id.in_(organisation_ids))
    return union(members, referred)


def tally_rows(sign: int, organisation_ids: Any) -> Any:
    """Select the signed counts of these organisations' company_reach rows (or all), one per key.

    Each row counts under every (filter, grouping) pair; under the association filter, once per link.
    """
    cr, both, link = CompanyReach, pairs(), CompanyLink
    filtered = value_of(both.c.filter_dim, cr, link).label("filter_value")
    each = select(cr.programme_key, both.c.filter_dim, filtered)
    each = each.add_columns(both.c.group_dim, value_of(both.c.group_dim, cr).label("group_value"))
    each = each.add_columns(cr.top, cr.pending_top).select_from(cr).join(both, true())
    per_link = (link.organisation_id == cr.organisation_id) & (both.c.filter_dim == ASSOCIATION)
    each = each.outerjoin(link, per_link).where(cr.kind == OrgKind.COMPANY, cr.top.is_not(None))
    each = each.where(or_(both.c.filter_dim != ASSOCIATION, link.association_id.is_not(None)))
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

"""The reach tallies (crm.models.tallies): company counts per report filter and grouping value, a ledger.

crm.pipeline.company_reach.refresh() calls record() with -1 before it replaces an organisation's
company_reach rows and with +1 after, on the flush's own connection: the counts change in the same
transaction as the move, merge, import or edit, and only by inserting rows (two transactions never wait
on the same count). compact() folds the ledger (the periodic job crm.pipeline.jobs.compact_reach_tallies).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    SmallInteger,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from crm.models import SIZES, Engagement, Membership
from crm.models.membership import MEMBER_STATUSES
from crm.models.organisation import OrgKind
from crm.models.pipeline import CompanyReach
from crm.models.tallies import (
    ASSOCIATION,
    COLUMN_GROUPS,
    DISTRICT,
    FILTER_DIMENSIONS,
    MEMBERSHIP,
    OWNER,
    REFERRAL,
    SECTOR,
    SIZE,
    CompanyLink,
    ReachTally,
)

EVERY_PROGRAMME = 0  # crm.pipeline.company_reach's key of every programme together (it imports this module)
KEY = ("programme_key", "filter_dim", "filter_value", "group_dim", "group_value", "top", "pending_top")
COLUMNS = (*KEY, "n")


def dimensions(chosen: tuple[int, ...], name: str) -> Any:
    """Return the chosen dimensions as a small subquery of one column (dim) to cross join."""
    return union_all(*[select(literal(d).label("dim")) for d in chosen]).subquery(name)


def size_rank(size: Any) -> Any:
    """Return a size's place in SIZES from 1, in SQL (NULL when none is recorded)."""
    return case({name: index for index, name in enumerate(SIZES, 1)}, value=size)


def value_of(dimension: Any, values: dict[int, Any]) -> Any:
    """Return, in SQL, the value of whichever dimension the row holds (NULL for none)."""
    return case(*[(dimension == key, value) for key, value in values.items()])


def column_values(row: Any) -> dict[int, Any]:
    """Return the company's value per grouping by a company column (a size is its place in SIZES)."""
    return {SECTOR: row.sector_id, DISTRICT: row.district_id, OWNER: row.owner_id, SIZE: size_rank(row.size)}


def link_rows(organisation_ids: Any = None) -> Any:
    """Select the company_links rows: each company's active memberships and referring associations."""
    member = (Membership.company_id == Engagement.organisation_id) & Membership.status.in_(MEMBER_STATUSES)
    members = select(Membership.company_id.label("organisation_id"), Membership.association_id, true())
    members = members.where(Membership.status.in_(MEMBER_STATUSES))
    referred = select(Engagement.organisation_id, Engagement.source_association_id, false())
    already = exists().where(member, Membership.association_id == Engagement.source_association_id)
    referred = referred.where(Engagement.source_association_id.is_not(None), ~already)
    if organisation_ids is not None:
        members = members.where(Membership.company_id.in_(organisation_ids))
        referred = referred.where(Engagement.organisation_id.in_(organisation_ids))
    return union(members, referred)


def counted(organisation_ids: Any) -> list[Any]:
    """Return the conditions on company_reach rows that count: these organisations' companies with a stage."""
    cr = CompanyReach
    found = [cr.kind == OrgKind.COMPANY]
    return found if organisation_ids is None else [*found, cr.organisation_id.in_(organisation_ids)]


def grouped(organisation_ids: Any) -> Any:
    """Return a subquery of each counted row under every grouping: (organisation, key, group, stages)."""
    cr, columns, link = CompanyReach, dimensions(COLUMN_GROUPS, "columns"), aliased(CompanyLink)
    conditions = counted(organisation_ids)
    head, stages = (cr.organisation_id, cr.sector_id, cr.district_id, cr.owner_id), (cr.top, cr.pending_top)
    by_column = select(*head, cr.programme_key, columns.c.dim.label("group_dim"))
    group_value = value_of(columns.c.dim, column_values(cr)).label("group_value")
    by_column = by_column.add_columns(group_value, *stages)
    by_column = by_column.join(columns, true()).where(*conditions, cr.top.is_not(None))
    in_member = (link.organisation_id == cr.organisation_id) & link.member.is_(True)
    by_member = select(*head, cr.programme_key, literal(MEMBERSHIP), link.association_id, *stages)
    by_member = by_member.outerjoin(link, in_member).where(*conditions, cr.top.is_not(None))
    # Referral: each programme row under its own key, and once per referring association under key 0
    # with the furthest stage of the programmes it referred (the pending stage is not read by referral).
    programme_rows, no_stage = [*conditions, cr.programme_key != EVERY_PROGRAMME], null().cast(SmallInteger)
    per_programme = select(*head, cr.programme_key, literal(REFERRAL), cr.source_id, cr.top, no_stage)
    per_programme = per_programme.where(*programme_rows, cr.top.is_not(None))
    per_source = select(*head, literal(EVERY_PROGRAMME), literal(REFERRAL), cr.source_id, cr.source_top)
    per_source = per_source.add_columns(no_stage).where(*programme_rows, cr.source_top.is_not(None))
    return union_all(by_column, by_member, per_programme, per_source).subquery("grouped")


def tally_rows(sign: int, organisation_ids: Any) -> Any:
    """Select the signed counts of these organisations' company_reach rows (or all), one per key.

    Each row counts under every grouping and, for each, under every filter; under the association filter,
    once per link.
    """
    rows, filters, link = grouped(organisation_ids), dimensions(FILTER_DIMENSIONS, "filters"), CompanyLink
    each = select(rows.c.programme_key, filters.c.dim.label("filter_dim"))
    values = {SECTOR: rows.c.sector_id, DISTRICT: rows.c.district_id, OWNER: rows.c.owner_id}
    values[ASSOCIATION] = link.association_id
    each = each.add_columns(value_of(filters.c.dim, values).label("filter_value"))
    each = each.add_columns(rows.c.group_dim, rows.c.group_value, rows.c.top, rows.c.pending_top)
    per_link = (link.organisation_id == rows.c.organisation_id) & (filters.c.dim == ASSOCIATION)
    each = each.select_from(rows).join(filters, true()).outerjoin(link, per_link)
    each = each.where(or_(filters.c.dim != ASSOCIATION, link.association_id.is_not(None))).subquery("each")
    keys = [each.c[name] for name in KEY]
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

"""The tallies (crm.models.tallies), ledgers of counts per report filter: companies per grouping value and
furthest stage (reach_tallies), finished stays per stage and length (stay_tallies), exits per stage left,
exit and reason (exit_tallies).

crm.pipeline.company_reach.refresh() calls record() with -1 before it replaces an organisation's
company_reach, stage_stays and stage_exits rows and with +1 after, on the flush's own connection: the
counts change in the same transaction as the move, merge, import or edit, and only by inserting rows (two
transactions never wait on the same count). compact() folds the ledgers (the periodic job
crm.pipeline.jobs.compact_reach_tallies).
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
from crm.models.report_rows import CompanyReach, StageExit, StageStay
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
    ExitTally,
    ReachTally,
    StayTally,
)

EVERY_PROGRAMME = 0  # crm.pipeline.company_reach's key of every programme together (it imports this module)
KEY = ("programme_key", "filter_dim", "filter_value", "group_dim", "group_value", "top", "pending_top")
STAY_KEY = ("programme_key", "filter_dim", "filter_value", "stage", "days")
EXIT_KEY = ("programme_key", "filter_dim", "filter_value", "from_stage", "to_stage", "barrier_id")


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


def under_filters(rows: Any, carried: tuple[str, ...]) -> Any:
    """Return a subquery of each row under every filter (key, filter_dim, filter_value, carried columns).

    The rows carry the company's organisation_id, sector_id, district_id and owner_id; under the
    association filter a row counts once per company link, and not at all without one.
    """
    filters, link = dimensions(FILTER_DIMENSIONS, "filters"), CompanyLink
    each = select(rows.c.programme_key, filters.c.dim.label("filter_dim"))
    values = {SECTOR: rows.c.sector_id, DISTRICT: rows.c.district_id, OWNER: rows.c.owner_id}
    values[ASSOCIATION] = link.association_id
    each = each.add_columns(value_of(filters.c.dim, values).label("filter_value"))
    each = each.add_columns(*[rows.c[name] for name in carried])
    per_link = (link.organisation_id == rows.c.organisation_id) & (filters.c.dim == ASSOCIATION)
    each = each.select_from(rows).join(filters, true()).outerjoin(link, per_link)
    return each.where(or_(filters.c.dim != ASSOCIATION, link.association_id.is_not(None))).subquery("each")


def signed_counts(each: Any, key: tuple[str, ...], sign: int) -> Any:
    """Select the rows' count per key, signed."""
    keys = [each.c[name] for name in key]
    return select(*keys, (func.count() * sign).label("n")).group_by(*keys)


def tally_rows(sign: int, organisation_ids: Any) -> Any:
    """Select the signed counts of these organisations' company_reach rows (or all), one per key.

    Each row counts under every grouping and, for each, under every filter.
    """
    each = under_filters(grouped(organisation_ids), ("group_dim", "group_value", "top", "pending_top"))
    return signed_counts(each, KEY, sign)


def history_counts(model: Any, key: tuple[str, ...], sign: int, organisation_ids: Any) -> Any:
    """Select the signed counts of these organisations' rows of a history table (or all), one per key.

    Each company row counts under its programme and under key 0 (every programme), under every filter;
    the key's columns after the filter's are the table's own.
    """
    carried = key[3:]
    head = [model.organisation_id, model.sector_id, model.district_id, model.owner_id]
    head += [getattr(model, name) for name in carried]
    conditions = [model.kind == OrgKind.COMPANY]
    if organisation_ids is not None:
        conditions.append(model.organisation_id.in_(organisation_ids))
    own = select(*head, model.programme_id.label("programme_key")).where(*conditions)
    every = select(*head, literal(EVERY_PROGRAMME)).where(*conditions)
    each = under_filters(union_all(own, every).subquery("rows"), carried)
    return signed_counts(each, key, sign)


def stay_rows(sign: int, organisation_ids: Any) -> Any:
    """Select the signed counts of these organisations' finished stays (or all), one per key."""
    return history_counts(StageStay, STAY_KEY, sign, organisation_ids)


def exit_rows(sign: int, organisation_ids: Any) -> Any:
    """Select the signed counts of these organisations' exits (or all), one per key."""
    return history_counts(StageExit, EXIT_KEY, sign, organisation_ids)


# Each ledger: its model and key columns, and the select of a set of organisations' signed counts.
LEDGERS = ((ReachTally, KEY, tally_rows), (StayTally, STAY_KEY, stay_rows), (ExitTally, EXIT_KEY, exit_rows))


def record_statements(organisation_ids: Any, sign: int) -> list[Any]:
    """Return the INSERTs that add these organisations' rows to every ledger (+1) or take them out (-1);
    organisation_ids may be an expanding bound parameter, None for every organisation."""
    return [
        insert(model).from_select((*key, "n"), rows(sign, organisation_ids)) for model, key, rows in LEDGERS
    ]


def record(connection: Connection, organisation_ids: list[int] | None, sign: int) -> None:
    """Add these organisations' rows to the tallies (sign +1) or take them out (-1)."""
    for statement in record_statements(organisation_ids, sign):
        connection.execute(statement)


def folded(rows: Any, key: tuple[str, ...]) -> Any:
    """Select one row per key with its summed count, keeping only the counts that are not 0."""
    keys = [rows.c[name] for name in key]
    total = func.sum(rows.c.n)
    return select(*keys, total).group_by(*keys).having(total != 0)


def compact(connection: Connection) -> None:
    """Fold every ledger's rows written so far into one per key (the sums are unchanged)."""
    for model, key, _rows in LEDGERS:
        compact_ledger(connection, model, (*key, "n"))


def compact_ledger(connection: Connection, t: Any, columns: tuple[str, ...]) -> None:
    """Fold one ledger: its rows up to the newest id now, into one per key."""
    last = connection.scalar(select(func.max(t.id)))
    if last is None:
        return
    if connection.dialect.name == "postgresql":  # one statement, one snapshot: what it deletes, it adds
        gone = delete(t).where(t.id <= last).returning(*[t.__table__.c[c] for c in columns]).cte("gone")
        connection.execute(insert(t).from_select(columns, folded(gone, columns[:-1])))
        return
    # SQLite: the INSERT takes the database's single write lock, so no row is added before the DELETE.
    rows = select(t).where(t.id <= last).subquery()
    connection.execute(insert(t).from_select(columns, folded(rows, columns[:-1])))
    connection.execute(delete(t).where(t.id <= last))


def rebuild(connection: Connection) -> None:
    """Recompute every tally from company_reach, stage_stays and stage_exits."""
    for model, _key, _rows in LEDGERS:
        connection.execute(delete(model))
    record(connection, None, 1)

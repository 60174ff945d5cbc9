"""SQL building blocks shared by the reports, written once so SQLite and PostgreSQL agree.

"Reached": a company reached stage s when at least one of its transitions (inside the period, if
one is given) moved it to s or to a stage after s on the forward path (STAGES order). Starting at
"meeting held" therefore counts as having been identified and contacted too; exits (declined, on
hold, withdrawn) are not stages on the path and never count as reaching anything; moving back
does not undo what was reached. Each company counts once per stage, whatever the number of
engagements (programmes) it has.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Integer, case, func, literal, select

from crm.models import SIZES, STAGES, Programme
from crm.models.organisation import OrgKind
from crm.models.pipeline import PAST_GATE, REFERRAL_STAGES
from crm.models.report_rows import CompanyDay, CompanyReach, MemberDay
from crm.models.tallies import ASSOCIATION, DISTRICT, NO_DIMENSION, OWNER, SECTOR, SIZE, ReachTally
from crm.pipeline.company_reach import EVERY_PROGRAMME, NO_ASSOCIATION
from crm.reports.filters import ReportFilters, in_period, organisation_conditions, sector_clause
from crm.sql import days_between  # noqa: F401 - the reports import it from here

POSITIONS = {stage: index for index, stage in enumerate(STAGES)}


def position(column: Any) -> Any:
    """Return a stage's place on the forward path in SQL (NULL for exits)."""
    return case(POSITIONS, value=column)


def percentile_from_counts(value: Any, upto: Any, n: Any, total: Any, num: int, den: int) -> Any:
    """Return SUM(...) = den × the num/den percentile, from rows of (value, its count n, running count upto).

    Method (the same as PostgreSQL's percentile_cont, linear interpolation between closest ranks): with
    total sorted values v1..vn, h = (n - 1) × p; the percentile is
    v[floor(h) + 1] + (h - floor(h)) × (v[floor(h) + 2] - v[floor(h) + 1]).
    With p = num/den everything stays in integers: floor(h) = (n-1)·num div den and
    h - floor(h) = ((n-1)·num mod den) / den, so the SUM below is the percentile × den, exactly, on both
    databases; the caller divides by den. The rows are a histogram: the distinct values in ascending
    order, `upto` the number of values up to and including this row's, `total` all of them. The value of
    rank k is the row's whose ranks (upto - n, upto] hold k; ranks floor(h) + 1 and floor(h) + 2 may fall
    in one row, so each adds its own share.
    """
    scaled = (total - 1) * num
    lower = scaled // den + 1
    remainder = scaled % den

    def holds(rank: Any) -> Any:
        return (upto - n < rank) & (rank <= upto)

    low = case((holds(lower), value * (den - remainder)), else_=0)
    return func.sum(low + case((holds(lower + 1), value * remainder), else_=0))


# The companies' columns the reports filter and group on, carried by both reach CTEs.
CARRIED = ("sector_id", "district_id", "owner_id", "size")
# The filters and grouping columns the reach tallies are kept for.
TALLY_FILTERS = {"sector": SECTOR, "district": DISTRICT, "owner": OWNER, "association": ASSOCIATION}
TALLY_GROUPS = {"sector_id": SECTOR, "district_id": DISTRICT, "owner_id": OWNER, "size": SIZE}


def one() -> Any:
    """Return the weight column of a per-company row: it counts one company."""
    return literal(1, Integer).label("n")


def tallied(f: ReportFilters) -> bool:
    """Return whether the reach tallies hold the answer: no period, at most one company filter."""
    return not (f.date_from or f.date_to) and len(filters_used(f)) <= 1


def tally_rows(f: ReportFilters, group_dim: int, group: Any = None, name: str = "reach") -> Any:
    """Return a CTE of the tallies' (top, pending_top[, group], n) rows of a grouping under the filters."""
    t, used = ReachTally, filters_used(f)
    columns = [t.top, t.pending_top, t.n] + ([group] if group is not None else [])
    conditions = [t.programme_key == (f.programme or EVERY_PROGRAMME), t.group_dim == group_dim]
    return select(*columns).where(*conditions, *tally_filter(f, used)).cte(name)


def counted_reach(f: ReportFilters, carried: str | None = None, name: str = "reach") -> Any:
    """Return a CTE of (top, pending_top[, the carried column], n): n companies per row.

    From the reach tallies when they hold the answer (no period, at most one of the sector, district, owner
    and association filters): a few rows per stage and value; else the reach CTE, one row per company.
    """
    if not tallied(f):
        return reach(f, name=name)
    if carried is None:
        return tally_rows(f, NO_DIMENSION, name=name)
    return tally_rows(f, TALLY_GROUPS[carried], group_value(carried).label(carried), name)


def tally_filter(f: ReportFilters, used: list[str], model: Any = ReachTally) -> list[Any]:
    """Return the conditions on a tallies' filter dimension and value (none, or the one filter used)."""
    if not used:
        return [model.filter_dim == NO_DIMENSION]
    value, column = getattr(f, used[0]), model.filter_value
    chosen = sector_clause(column, value) if used[0] == "sector" else column == value
    return [model.filter_dim == TALLY_FILTERS[used[0]], chosen]


def ledger_sums(model: Any, f: ReportFilters, *keys: Any) -> Any:
    """Select a ledger's (stay_tallies, exit_tallies) counts per key under the report's programme and filter,
    leaving out the keys whose rows cancel out."""
    n = func.sum(model.n)
    query = select(*keys, n.label("n")).where(*tally_filter(f, filters_used(f), model))
    query = query.where(model.programme_key == (f.programme or EVERY_PROGRAMME))
    return query.group_by(*keys).having(n > 0)


def filters_used(f: ReportFilters) -> list[str]:
    """Return the company filters chosen, of those the tallies are kept for."""
    return [key for key in TALLY_FILTERS if getattr(f, key)]


def group_value(carried: str) -> Any:
    """Return the tallies' group value as the carried column (a size back to its name)."""
    if carried == "size":
        return case({index: size for index, size in enumerate(SIZES, 1)}, value=ReachTally.group_value)
    return ReachTally.group_value


def reach(f: ReportFilters, per_source: bool = False, name: str = "reach") -> Any:
    """Return a CTE of companies (org_id[, source_id]), the furthest stage position they reached, and the
    carried columns, read from company_reach: one maintained row per company (and programme; per referring
    association from the programme rows). Over a period the reports add up period_firsts() instead.
    """
    if f.date_from or f.date_to:
        raise ValueError("a period is counted by period_firsts()")
    return referred_reach(f, name) if per_source else company_reach(f, name)


def period_firsts(
    f: ReportFilters,
    per_source: bool,
    carried: tuple[str, ...] = (),
    stages: tuple[str, ...] = REFERRAL_STAGES,
    name: str = "reach",
    pending: bool = False,
) -> Any:
    """Return a CTE of the period's company_days rows (org_id[, source_id], the carried columns, n) with, per
    stage, 1 on the row that is its company's first at or past it in the period, else 0 (and, if pending,
    pending_<stage> the same for the stages past the gate with evidence pending).

    Adding these up counts each company (or company and referring association) once per stage it reached
    in the period, without grouping the rows per company. By referral without a programme the rows are the
    programme rows and the days before are the referral's.
    """
    cd, prefix = CompanyDay, "referral_" if per_source and not f.programme else ""
    weights = [first_in_period(cd.top, s, getattr(cd, f"{prefix}{s}_before"), f).label(s) for s in stages]
    if pending:  # the funnel: evidence pending too
        pending = [(s, getattr(cd, f"pending_{s}_before")) for s in PAST_GATE]
        weights += [first_in_period(cd.pending_top, s, day, f).label(f"pending_{s}") for s, day in pending]
    keys = [cd.organisation_id.label("org_id")] + ([cd.source_id.label("source_id")] if per_source else [])
    query = select(*keys, *[getattr(cd, column) for column in carried], *weights, one())
    query = query.where(*programme_rows(cd, f, per_source), cd.kind == OrgKind.COMPANY)
    query = query.where(*in_period(cd.reached_on, f), *organisation_conditions(f, copied_columns(cd)))
    return query.cte(name)


def member_firsts(f: ReportFilters) -> Any:
    """Return period_firsts()' CTE for conversion by membership: (org_id, association_id, the stages' weights,
    n) read from member_days, each company's rows once per association it is an active member of (0: none).
    """
    md = MemberDay
    weights = [first_in_period(md.top, s, getattr(md, f"{s}_before"), f).label(s) for s in REFERRAL_STAGES]
    association = case((md.association_id != NO_ASSOCIATION, md.association_id)).label("association_id")
    query = select(md.organisation_id.label("org_id"), association, *weights, one())
    query = query.where(md.programme_key == (f.programme or EVERY_PROGRAMME), *in_period(md.reached_on, f))
    return query.where(*organisation_conditions(f, copied_columns(md))).cte("reach")


def first_in_period(rank: Any, stage: str, before: Any, f: ReportFilters) -> Any:
    """Return 1 if a company_days row (in the period) has its rank at or past the stage and its day before
    at that stage is not in the period, else 0."""
    earlier = before.is_(None) if f.date_from is None else before.is_(None) | (before < f.date_from)
    return case(((rank >= POSITIONS[stage]) & earlier, 1), else_=0)


def programme_rows(model: Any, f: ReportFilters, per_source: bool) -> list[Any]:
    """Keep the rows of the chosen programme, else every programme's row (or each programme's, per source)."""
    if f.programme:
        return [model.programme_key == f.programme]
    if per_source:  # each programme's key: one index range per programme (a few), not "all but 0" (a scan)
        return [model.programme_key.in_(select(Programme.id))]
    return [model.programme_key == EVERY_PROGRAMME]


def referred_reach(f: ReportFilters, name: str) -> Any:
    """Return the reach CTE per company and referring association, from company_reach's programme rows.

    With a programme, its rows (one per company); else each (company, association)'s source_top row.
    """
    cr = CompanyReach
    top = cr.top if f.programme else cr.source_top
    carried = [getattr(cr, column) for column in CARRIED]
    query = select(cr.organisation_id.label("org_id"), cr.source_id.label("source_id"), top.label("top"))
    query = query.add_columns(*carried, one())
    query = query.where(*programme_rows(cr, f, True), cr.kind == OrgKind.COMPANY)
    query = query.where(top.is_not(None), *organisation_conditions(f, copied_columns(cr)))
    return query.cte(name)


def copied_columns(model: Any) -> SimpleNamespace:
    """Return a maintained table's copies of the company's columns, named as organisation_conditions reads."""
    copies = {name: getattr(model, name) for name in ("sector_id", "district_id", "owner_id")}
    return SimpleNamespace(id=model.organisation_id, **copies)


def company_reach(f: ReportFilters, name: str) -> Any:
    """Return the reach CTE read from company_reach (no period): one row per company that reached a stage."""
    carried = [getattr(CompanyReach, column) for column in CARRIED]
    query = select(CompanyReach.organisation_id.label("org_id"), CompanyReach.top.label("top"), *carried)
    query = query.add_columns(CompanyReach.pending_top, one())
    query = query.where(
        CompanyReach.programme_key == (f.programme or EVERY_PROGRAMME),
        CompanyReach.kind == OrgKind.COMPANY,
        CompanyReach.top.is_not(None),
        *organisation_conditions(f, copied_columns(CompanyReach)),
    )
    return query.cte(name)


def reached(top: Any, stage: str, weight: Any = 1) -> Any:
    """Return how many rows (or the sum of their weights) have their furthest position at or past a stage."""
    return func.coalesce(func.sum(case((top >= POSITIONS[stage], weight), else_=0)), 0)

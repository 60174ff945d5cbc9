"""Time in stage: median and 75th percentile of days per stage, and the engagements stalled now.

A stay is the time between a transition and the engagement's next transition (by date, then id); it
belongs to the stage the first one moved to. Only finished stays count (the current stage has no end
yet). The period filter keeps stays that began inside it. The stays are kept in stage_stays
(crm.pipeline.history_rows); a request counts them per stage and length, and the percentiles
interpolate between closest ranks over those counts, like PostgreSQL's percentile_cont (see
crm/reports/sql.py percentile_from_counts), so the same SQL runs on SQLite and PostgreSQL.

Stalled: an engagement whose current forward stage (not the last one, adopting, and not an exit)
has lasted strictly longer, up to today, than that stage's 75th percentile.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Date, Integer, case, cast, func, literal, select

from crm.extensions import db
from crm.labels import label
from crm.models import ALL_STAGES, EXITS, STAGES, Engagement, Organisation, Programme, User
from crm.models.organisation import OrgKind
from crm.models.report_rows import StageStay
from crm.models.tallies import StayTally
from crm.pagination import Page, rows_page
from crm.reports.filters import ReportFilters, engagement_conditions, in_period, organisation_conditions
from crm.reports.sql import copied_columns, days_between, ledger_sums, percentile_from_counts, tallied
from crm.reports.tables import Column, Report, Table

MEDIAN, P75 = (1, 2), (3, 4)  # percentiles as fractions num/den
STALLABLE = STAGES[:-1]
EXPORT_LIMIT = 50_000


def histogram(f: ReportFilters) -> Any:
    """Return a CTE counting the finished stays per stage and length (days): from the stay tallies when they
    hold the answer (no period, at most one company filter), else from stage_stays."""
    if tallied(f):
        return tallied_histogram(f)
    stay = StageStay
    query = (
        select(stay.stage, stay.days, func.count().label("n"))
        .where(stay.kind == OrgKind.COMPANY, *organisation_conditions(f, copied_columns(stay)))
        .where(*in_period(stay.began, f))
        .group_by(stay.stage, stay.days)
    )
    if f.programme:
        query = query.where(stay.programme_id == f.programme)
    return query.cte("histogram")


def tallied_histogram(f: ReportFilters) -> Any:
    """Return the histogram CTE added up from the stay tallies (a few thousand rows at most)."""
    return ledger_sums(StayTally, f, StayTally.stage, StayTally.days).cte("histogram")


def limits(f: ReportFilters) -> Any:
    """Return a CTE per stage: finished stays, 2 × median and 4 × 75th percentile (integers)."""
    counts = histogram(f)
    # Counts summed over a window are NUMERIC on PostgreSQL: back to integers for the rank arithmetic.
    upto = cast(func.sum(counts.c.n).over(partition_by=counts.c.stage, order_by=counts.c.days), Integer)
    total = cast(func.sum(counts.c.n).over(partition_by=counts.c.stage), Integer)
    running = select(counts.c.stage, counts.c.days, counts.c.n, upto.label("upto"), total.label("total"))
    r = running.cte("running")
    query = select(
        r.c.stage,
        func.max(r.c.total).label("n"),
        percentile_from_counts(r.c.days, r.c.upto, r.c.n, r.c.total, *MEDIAN).label("median_x"),
        percentile_from_counts(r.c.days, r.c.upto, r.c.n, r.c.total, *P75).label("p75_x"),
    ).group_by(r.c.stage)
    return query.cte("limits")


def scaled(value: Any, den: int) -> Decimal | None:
    """Turn an integer percentile × den back into days (two decimals at most)."""
    return None if value is None else (Decimal(int(value)) / den).quantize(Decimal("0.01")).normalize()


def stage_limits(f: ReportFilters) -> dict[str, Any]:
    """Run the percentile query once: {stage: row with n, median_x, p75_x}."""
    return {row.stage: row for row in db.session.execute(select(limits(f)))}


def timing_table(f: ReportFilters, found: dict[str, Any] | None = None) -> Table:
    """Build the table of median and 75th-percentile days per stage (forward stages, then exits)."""
    found = stage_limits(f) if found is None else found
    shown = [s for s in ALL_STAGES if s in STAGES or s in found]
    rows = []
    for stage in shown:
        row = found.get(stage)
        median = scaled(row.median_x, MEDIAN[1]) if row else None
        rows.append(
            [label("stage", stage), row.n if row else 0, median, scaled(row.p75_x, P75[1]) if row else None]
        )
    columns = [
        Column("stage", _("Stage"), "text"),
        Column("stays", _("Finished stays")),
        Column("median", _("Median days"), "decimal"),
        Column("p75", _("75th percentile (days)"), "decimal"),
    ]
    note = _("Days from entering a stage to the next move; stays not yet finished are left out.")
    return Table("time_in_stage", _("Time in stage"), columns, rows, note=note)


def stalled_query(f: ReportFilters, today: date, found: dict[str, Any]) -> Any:
    """Select engagements whose current stage has lasted longer than its 75th percentile.

    The percentiles (× 4, integers) computed once by stage_limits() enter the query as a CASE on
    the stage, so the window-function query does not run again for the list and its count.
    """
    known = {stage: int(row.p75_x) for stage, row in found.items() if stage in STALLABLE}
    if not known:
        return None
    threshold = case(known, value=Engagement.stage)
    days = days_between(literal(today, Date), Engagement.stage_since)
    return (
        select(Organisation.id, Organisation.legal_name, Programme.code, Engagement.stage)
        .add_columns(Engagement.stage_since, days.label("days"), threshold.label("p75_x"), User.name)
        .join_from(Engagement, Organisation, Organisation.id == Engagement.organisation_id)
        .join(Programme, Programme.id == Engagement.programme_id)
        .outerjoin(User, User.id == Organisation.owner_id)
        .where(*engagement_conditions(f), Engagement.stage.in_(list(known)))
        .where(days * P75[1] > threshold)
        .order_by(Engagement.stage_since, Engagement.id)  # longest first, read along its index
    )


def stalled_rows(query: Any, page_no: int | None, per_page: int) -> tuple[list[Any], Page | None]:
    """Return one page of the stalled list (with its total), or all of it (bounded) for exports."""
    if query is None:
        return [], (Page([], 0, page_no, per_page) if page_no else None)
    if page_no is None:
        return db.session.execute(query.limit(EXPORT_LIMIT)).all(), None
    page = rows_page(query, page_no, per_page)  # "more than 1,000": counting them all cost 0.1 s at 100k
    return page.items, page


def stalled_table(
    f: ReportFilters, today: date, page_no: int | None, per_page: int, found: dict[str, Any] | None = None
) -> Table:
    """Build the stalled list: one page of it for the screen, everything (bounded) for exports."""
    query = stalled_query(f, today, stage_limits(f) if found is None else found)
    result, page = stalled_rows(query, page_no, per_page)
    rows = [[r[1], r[2], label("stage", r[3]), r[4], r[5], scaled(r[6], P75[1]), r[7]] for r in result]
    columns = [
        Column("company", _("Company"), "text"),
        Column("programme", _("Programme"), "text"),
        Column("stage", _("Current stage"), "text"),
        Column("since", _("Since"), "date"),
        Column("days", _("Days in stage")),
        Column("p75", _("75th percentile (days)"), "decimal"),
        Column("owner", _("Owner"), "text"),
    ]
    note = _("Engagements whose current stage has lasted longer than that stage's 75th percentile.")
    table = Table("stalled", _("Stalled engagements"), columns, rows, page=page, note=note)
    table.links = [url_for("organisations.detail", org_id=r[0]) for r in result] if page else None
    return table


def build(f: ReportFilters, options: Mapping[str, str], locale: str, **context: Any) -> Report:
    """Build the time-in-stage report (the stalled list paginated unless exporting)."""
    found = stage_limits(f)
    stalled = stalled_table(f, context["today"], context.get("page"), context.get("per_page", 25), found)
    tables = [timing_table(f, found), stalled]
    return Report("timing", _("Time in stage"), f, tables, {"exits": EXITS})

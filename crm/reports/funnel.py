"""The recruitment funnel: companies that ever reached each stage, conversions, exits by reason.

See crm/reports/sql.py for the precise meaning of "reached". Stage-to-stage conversion is
reached(next stage) / reached(stage); "one in N" is contacted / letters of interest (the
loi_signed stage, which needs a signed letter of interest). Exits are counted as exit
transitions (to declined, on hold or withdrawn) inside the period, under the stage the company
left from (from_stage of the exit transition) and the reason recorded with it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, cast, func, select

from crm.extensions import db
from crm.labels import label
from crm.models import ALL_STAGES, STAGES, Barrier
from crm.models.organisation import OrgKind
from crm.models.report_rows import StageExit
from crm.models.tallies import ExitTally
from crm.pipeline.evidence import PAST_GATE
from crm.reports import charts
from crm.reports.filters import ReportFilters, in_period, organisation_conditions
from crm.reports.sql import copied_columns, counted_reach, ledger_sums, period_firsts, reached, tallied
from crm.reports.tables import Column, Report, Table, one_in, percent
from crm.templating import fmt_number


def stage_counts(f: ReportFilters) -> dict[str, int]:
    """Return, per stage, the number of companies that reached it (one query)."""
    return funnel_counts(f)[0]


def funnel_counts(f: ReportFilters) -> tuple[dict[str, int], dict[str, int]]:
    """Return the companies that reached each stage and those with evidence pending (one pass).

    The companies are first counted per (furthest stage, furthest stage with evidence pending): at most
    STAGES² small groups, so the per-stage sums run over those few rows, not over every company. Without a
    period, and with at most one company filter, those groups are the reach tallies' rows
    (crm.reports.sql.counted_reach). Over a period, the sums of the period's company days that are each
    company's first at a stage there (crm.reports.sql.period_firsts).
    """
    if f.date_from or f.date_to:
        return period_counts(f)
    ranked = counted_reach(f)
    grouped = select(ranked.c.top, ranked.c.pending_top, func.sum(ranked.c.n).label("n"))
    grouped = grouped.group_by(ranked.c.top, ranked.c.pending_top).subquery("per_top")
    counted = [reached(grouped.c.top, stage, grouped.c.n).label(stage) for stage in STAGES]
    counted += [reached(grouped.c.pending_top, s, grouped.c.n).label(f"pending_{s}") for s in PAST_GATE]
    row = db.session.execute(select(*counted)).one()._mapping
    return {s: int(row[s]) for s in STAGES}, {s: int(row[f"pending_{s}"]) for s in PAST_GATE}


def period_counts(f: ReportFilters) -> tuple[dict[str, int], dict[str, int]]:
    """Return funnel_counts() over a period: every stage's first rows added up, no grouping per company."""
    rows = period_firsts(f, False, stages=STAGES, pending=True)
    names = [*STAGES, *(f"pending_{stage}" for stage in PAST_GATE)]
    row = db.session.execute(select(*[func.coalesce(func.sum(rows.c[n]), 0).label(n) for n in names])).one()
    counts = {name: int(row._mapping[name]) for name in names}
    return {s: counts[s] for s in STAGES}, {s: counts[f"pending_{s}"] for s in PAST_GATE}


def pending_counts(f: ReportFilters) -> dict[str, int]:
    """Return, per stage past the gate, the companies that reached it (in the period, if one is given)
    through an engagement whose signed letter of interest still has no scan (evidence pending)."""
    return funnel_counts(f)[1]


def funnel_table(counts: dict[str, int], pending: dict[str, int] | None = None) -> Table:
    """Build the funnel table: reached, the previous stage's count, the conversion, evidence pending."""
    pending = pending or {}
    rows = []
    for index, stage in enumerate(STAGES):
        previous = counts[STAGES[index - 1]] if index else None
        conversion = percent(counts[stage], previous)
        rows.append([label("stage", stage), counts[stage], previous, conversion, pending.get(stage)])
    columns = [
        Column("stage", _("Stage"), "text"),
        Column("reached", _("Companies that reached it")),
        Column("previous", _("Reached the previous stage")),
        Column("conversion", _("Conversion from the previous stage (%)"), "pct"),
        Column("pending", _("Of which evidence pending")),
    ]
    table = Table("funnel", _("Recruitment funnel"), columns, rows)
    reached_note = _(
        "A company counts at a stage when it ever moved to that stage or a later one (in the period, if "
        "one is chosen); leaving the pipeline or moving back does not undo it."
    )
    pending_note = _(
        "Evidence pending: the signed letter of interest that let the company past the gate has no scan "
        "yet (counted from the letter-of-interest stage on)."
    )
    table.note = f"{reached_note} {pending_note}"
    bars = [(row[0], row[1], fmt_number(row[1])) for row in rows]
    table.chart = charts.bar_chart(_("Companies that reached each stage"), bars)
    return table


def headline_table(counts: dict[str, int]) -> Table:
    """Build the one-line headline: contacted, letters of interest, conversion and "one in N"."""
    contacted, letters = counts["contacted"], counts["loi_signed"]
    columns = [
        Column("contacted", _("Contacted")),
        Column("loi", _("Letter of interest signed")),
        Column("conversion", _("Conversion (%)"), "pct"),
        Column("one_in", _("One in N contacted signs"), "decimal"),
    ]
    rows = [[contacted, letters, percent(letters, contacted), one_in(letters, contacted)]]
    return Table("headline", _("Contacted → letter of interest"), columns, rows)


def exit_counts(f: ReportFilters) -> Any:
    """Return a subquery of exits counted per (stage left, exit, barrier id): from the exit tallies when
    they hold the answer (no period, at most one company filter), else grouped from stage_exits."""
    if tallied(f):
        t = ExitTally
        return ledger_sums(t, f, t.from_stage, t.to_stage, t.barrier_id).subquery("exits")
    query = (
        select(StageExit.from_stage, StageExit.to_stage, StageExit.barrier_id, func.count().label("n"))
        .where(StageExit.kind == OrgKind.COMPANY, *organisation_conditions(f, copied_columns(StageExit)))
        .where(*in_period(StageExit.occurred_on, f))
        .group_by(StageExit.from_stage, StageExit.to_stage, StageExit.barrier_id)
    )
    if f.programme:
        query = query.where(StageExit.programme_id == f.programme)
    return query.subquery("exits")


def exit_rows(f: ReportFilters, locale: str) -> list[Any]:
    """Count exit transitions by the stage left from, the exit and its reason.

    The exits are counted per barrier id first (a few groups); only those are joined to the reasons.
    """
    counted = exit_counts(f)
    reason = Barrier.reason_en if locale == "en" else Barrier.reason_es
    named = select(counted.c.from_stage, counted.c.to_stage, reason, cast(func.sum(counted.c.n), Integer))
    named = named.outerjoin(Barrier, Barrier.id == counted.c.barrier_id)
    return list(db.session.execute(named.group_by(counted.c.from_stage, counted.c.to_stage, reason)))


def stage_order(stage: str | None) -> int:
    """Return the stage's place among all stages (unknown last)."""
    return ALL_STAGES.index(stage) if stage in ALL_STAGES else len(ALL_STAGES)


def exits_table(f: ReportFilters, locale: str) -> Table:
    """Build the exits table: one row per (stage left from, exit, reason), busiest first per stage."""
    found = sorted(
        exit_rows(f, locale), key=lambda r: (stage_order(r[0]), stage_order(r[1]), -r[3], r[2] or "")
    )
    # Each stage's name translated once: the table has a row per reason, about 170 over a half year at 100k.
    names = {stage: label("stage", stage) for stage in {r[0] for r in found} | {r[1] for r in found}}
    no_reason = _("No reason")
    rows = [[names[a], names[b], reason or no_reason, n] for a, b, reason, n in found]
    columns = [
        Column("from_stage", _("Stage left from"), "text"),
        Column("exit", _("Exit"), "text"),
        Column("reason", _("Reason"), "text"),
        Column("exits", _("Exits")),
    ]
    total = [_("Total"), "", "", sum(r[3] for r in rows)] if rows else None
    return Table("exits", _("Exits by reason at each stage"), columns, rows, total)


def build(f: ReportFilters, options: Any, locale: str, **_ignored: Any) -> Report:
    """Build the funnel report."""
    counts, pending = funnel_counts(f)
    tables = [headline_table(counts), funnel_table(counts, pending), exits_table(f, locale)]
    return Report("funnel", _("Recruitment funnel"), f, tables)

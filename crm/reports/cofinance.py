"""The co-finance annex: committed, materialised and pending USD, laid out like the funder's table.

Without a period the report reads cofinance_lines (crm.pipeline.cofinance_rows), the same sums kept per
annex line in the flush of every change.

Committed = amount_usd of signed co-finance letters (signed inside the period, when one is given).
Materialised = amount_usd of those letters' materialisations (up to the period's end date).
Pending = committed - materialised (negative when more was delivered than committed, as in the
mid-term table). Materialisations are summed per letter first so a letter's commitment is never
counted once per materialisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, literal, null, select, union_all

from crm.extensions import db
from crm.labels import label
from crm.models import CofinanceLine, Letter, Materialisation, Organisation
from crm.pagination import Page, count
from crm.reports.filters import ReportFilters, in_period, organisation_conditions
from crm.reports.sql import EVERY_PROGRAMME, copied_columns
from crm.reports.tables import Column, Report, Table, money

MONEY_COLUMNS = ("committed", "materialised", "pending")


def materialised_per_letter(f: ReportFilters) -> Any:
    """Return a subquery: letter_id and the USD materialised up to the period's end."""
    query = select(Materialisation.letter_id, func.sum(Materialisation.amount_usd).label("usd"))
    if f.date_to:
        query = query.where(Materialisation.occurred_on <= f.date_to)
    return query.group_by(Materialisation.letter_id).subquery("materialised")


def of_organisations(f: ReportFilters) -> list[Any]:
    """Keep the letters of the organisations the filters choose (no join at all when none is chosen)."""
    conditions = organisation_conditions(f)
    return [Letter.organisation_id.in_(select(Organisation.id).where(*conditions))] if conditions else []


def commitments(f: ReportFilters) -> Any:
    """Return a CTE of (id, organisation_id, cofinancier_type, cofinance_type, committed, materialised).

    Without a period, one row per annex line from cofinance_lines (id: its first letter); with one, one row
    per signed co-finance letter, its materialisations summed up to the period's end.
    """
    if not (f.date_from or f.date_to):
        return kept_lines(f)
    done = materialised_per_letter(f)
    query = (
        select(
            Letter.id,
            Letter.organisation_id,
            Letter.cofinancier_type,
            Letter.cofinance_type,
            func.coalesce(Letter.amount_usd, 0).label("committed"),
            func.coalesce(done.c.usd, 0).label("materialised"),
        )
        .outerjoin(done, done.c.letter_id == Letter.id)
        .where(Letter.kind == "cofinance", Letter.status == "signed", *of_organisations(f))
        .where(*in_period(Letter.signed_on, f))
    )
    if f.programme:
        query = query.where(Letter.programme_id == f.programme)
    return query.cte("commitments")


def kept_lines(f: ReportFilters) -> Any:
    """Return the commitments CTE read from cofinance_lines: the annex's lines of the programme, or of all."""
    line = CofinanceLine
    query = select(line.first_letter_id.label("id"), line.organisation_id, line.cofinancier_type)
    query = query.add_columns(line.cofinance_type, line.committed, line.materialised)
    query = query.where(line.programme_key == (f.programme or EVERY_PROGRAMME))
    return query.where(*organisation_conditions(f, copied_columns(line))).cte("commitments")


def sums(cte: Any) -> list[Any]:
    """Return the committed, materialised and pending sums of a commitments CTE."""
    committed, materialised = func.sum(cte.c.committed), func.sum(cte.c.materialised)
    return [committed, materialised, committed - materialised]


def money_row(values: Any) -> list[Any]:
    """Return money sums as two-decimal Decimals."""
    return [money(v) for v in values]


def money_columns() -> list[Column]:
    """Return the committed / materialised / pending columns."""
    titles = (_("Committed (USD)"), _("Materialised (USD)"), _("Pending (USD)"))
    return [Column(key, title, "money") for key, title in zip(MONEY_COLUMNS, titles, strict=True)]


def total_values(cte: Any) -> Any:
    """Return the committed, materialised and pending sums over every commitment of a CTE."""
    return db.session.execute(select(*sums(cte))).one()


def total_row(cte: Any, width: int, totals: Any = None) -> list[Any]:
    """Return the total row: 'Total', blanks, then the three sums (computed unless given)."""
    values = total_values(cte) if totals is None else totals
    return [_("Total"), *[""] * (width - 1), *money_row(values)]


GROUPS = ("cofinancier_type", "cofinance_type")


def type_sums(f: ReportFilters) -> dict[str, list[Any]]:
    """Return the sums per co-financier type, per co-finance type and in all, in one statement."""
    cte = commitments(f)
    parts = [
        select(literal(group).label("grouping"), cte.c[group].label("key"), *sums(cte)).group_by(cte.c[group])
        for group in GROUPS
    ]
    parts.append(select(literal("total"), null(), *sums(cte)))
    found: dict[str, list[Any]] = {group: [] for group in (*GROUPS, "total")}
    for grouping, key, *values in db.session.execute(union_all(*parts)):
        found[grouping].append((key, *values))
    return found


def by_type_table(f: ReportFilters, group: str, found: dict[str, list[Any]] | None = None) -> Table:
    """Build the sums by co-financier type or by co-finance type (from type_sums, read once per report)."""
    found = found or type_sums(f)
    ordered = sorted(found[group], key=lambda row: (row[0] is None, row[0] or ""))
    rows = [[label(group, key) or _("Not recorded"), *money_row(values)] for key, *values in ordered]
    heading = _("Co-financier type") if group == "cofinancier_type" else _("Co-finance type")
    title = _("By co-financier type") if group == "cofinancier_type" else _("By co-finance type")
    columns = [Column(group, heading, "text"), *money_columns()]
    total = total_row(None, 1, found["total"][0][1:])
    return Table(f"by_{group}", title, columns, rows, total)


def annex_rows(grouped: Any, page_no: int | None, per_page: int) -> tuple[list[Any], Page | None]:
    """Return one page of the annex (with its total count) for the screen, or all of it for exports.

    The groups are paged first and named after: only the rows shown are joined to their organisation.
    """
    shown = grouped if page_no is None else grouped.limit(per_page).offset((page_no - 1) * per_page)
    rows = shown.subquery("annex")
    org_id, *values, first = rows.c
    named = select(Organisation.legal_name, *values).join(Organisation, Organisation.id == org_id)
    found = list(db.session.execute(named.order_by(first)))
    return found, None if page_no is None else Page(found, count(grouped), page_no, per_page)


def annex_lines(f: ReportFilters, cte: Any) -> Any:
    """Select the annex's lines in the order their first letters were recorded: (organisation, types,
    committed, materialised, pending, first letter id). cofinance_lines holds them already (no period)."""
    keys = (cte.c.organisation_id, cte.c.cofinancier_type, cte.c.cofinance_type)
    if not (f.date_from or f.date_to):  # one row per line: read along the index, no grouping
        pending = cte.c.committed - cte.c.materialised
        return select(*keys, cte.c.committed, cte.c.materialised, pending, cte.c.id).order_by(cte.c.id)
    return select(*keys, *sums(cte), func.min(cte.c.id).label("first")).group_by(*keys).order_by("first")


def annex_table(
    f: ReportFilters, page_no: int | None = None, per_page: int = 25, totals: Any = None
) -> Table:
    """Build the annex: per co-financier and type, in the order the letters were recorded."""
    cte = commitments(f)
    found, page = annex_rows(annex_lines(f, cte), page_no, per_page)
    rows = [
        [name, label("cofinancier_type", who), label("cofinance_type", kind), *money_row(values)]
        for name, who, kind, *values in found
    ]
    columns = [
        Column("source", _("Source of co-finance"), "text"),
        Column("cofinancier_type", _("Co-financier type"), "text"),
        Column("cofinance_type", _("Co-finance type"), "text"),
        *money_columns(),
    ]
    total = total_row(cte, 3, totals)
    return Table("annex", _("Co-finance by co-financier"), columns, rows, total, page=page)


def build(f: ReportFilters, options: Mapping[str, str], locale: str, **context: Any) -> Report:
    """Build the co-finance report; the page shows one page of the annex (exports pass no page)."""
    found = type_sums(f)  # the three tables share one total
    annex = annex_table(f, context.get("page"), context.get("per_page", 25), found["total"][0][1:])
    tables = [annex, *(by_type_table(f, group, found) for group in GROUPS)]
    return Report("cofinance", _("Co-finance"), f, tables)

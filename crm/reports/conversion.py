"""Conversion by sector (the headline table), and the same by association, district, size and owner.

For every group: companies contacted (reached "contacted"), letters of interest (reached
"loi_signed"), conversion = letters / contacted, and companies that went further (reached
"assessed" or a later stage). Counts are distinct companies (see crm/reports/sql.py). Sectors
group by ISIC section (a company filed under a division counts in its section) or by division.
By association: "referral" groups each engagement under the association that referred it;
"membership" counts a company under every association it is an active member of (so its rows
need not add up to the total; over a period read from member_days, each company day once per
membership). Sorting is done by the database on a whitelisted column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Integer, case, cast, func, select, true
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.labels import label
from crm.models import SIZES, District, Organisation, Sector, User
from crm.models.tallies import MEMBERSHIP, REFERRAL, CompanyLink, ReachTally
from crm.reports import charts
from crm.reports.filters import ReportFilters
from crm.reports.sql import (
    counted_reach,
    member_firsts,
    one,
    period_firsts,
    reach,
    reached,
    tallied,
    tally_rows,
)
from crm.reports.tables import SMALL_SAMPLE, Column, Report, Table, percent, wilson
from crm.templating import fmt_number

DIMENSION_TITLES = {
    "sector": _l("Sector (ISIC section)"),
    "division": _l("Sector (ISIC division)"),
    "source": _l("Referring association"),
    "membership": _l("Association (membership)"),
    "district": _l("District"),
    "size": _l("Company size"),
    "owner": _l("Owner"),
}
NO_GROUP = {
    "sector": _l("No sector recorded"),
    "division": _l("No sector recorded"),
    "source": _l("Not referred by an association"),
    "membership": _l("Not an active member of an association"),
    "district": _l("No district recorded"),
    "size": _l("No size recorded"),
    "owner": _l("No owner"),
}
SORT_KEYS = ("group", "contacted", "loi", "conversion", "assessed")
DEFAULT_SORT = "-contacted"


def sector_name(sector: Any, locale: str) -> Any:
    """Return 'code – name' of a sector in SQL, in the user's language."""
    return sector.code + " – " + (sector.name_en if locale == "en" else sector.name_es)


def by_sector(ranked: Any, locale: str, division: bool = False) -> tuple[Any, Any, Any, Any]:
    """Group by the company's ISIC section (or division): the from clause, key, label and sort column."""
    own, section = aliased(Sector), aliased(Sector)
    group = own if division else section
    source = ranked.outerjoin(own, own.id == ranked.c.sector_id)
    if not division:
        source = source.outerjoin(section, section.id == func.coalesce(own.parent_id, own.id))
    return source, group.id, sector_name(group, locale), group.code


def by_association(counted: Any) -> tuple[Any, Any, Any, Any]:
    """Group the counts per association (referring or of membership) by the association's id and name."""
    association = aliased(Organisation)
    source = counted.outerjoin(association, association.id == counted.c.association_id)
    return source, association.id, association.legal_name, func.lower(association.legal_name)


def by_organisation_field(ranked: Any, dimension: str) -> tuple[Any, Any, Any, Any]:
    """Group by the company's district, size or owner (columns the reach CTE carries)."""
    if dimension == "district":
        district = ranked.outerjoin(District, District.id == ranked.c.district_id)
        return district, District.id, District.name, District.name
    if dimension == "owner":
        return ranked.outerjoin(User, User.id == ranked.c.owner_id), User.id, User.name, User.name
    size_order = case({size: index for index, size in enumerate(SIZES)}, value=ranked.c.size)
    return ranked, ranked.c.size, ranked.c.size, size_order


def grouping(dimension: str, ranked: Any, locale: str) -> tuple[Any, Any, Any, Any]:
    """Return (from clause, key, label, sort column) of a dimension."""
    if dimension in ("sector", "division"):
        return by_sector(ranked, locale, division=dimension == "division")
    if dimension in ("source", "membership"):
        return by_association(ranked)
    return by_organisation_field(ranked, dimension)


# The dimensions the reach CTE carries a column for: counted per column value before the lookup join.
CARRIED_BY = {"sector": "sector_id", "division": "sector_id", "district": "district_id"}
CARRIED_BY |= {"owner": "owner_id", "size": "size"}
COUNTED = {"contacted": "contacted", "loi": "loi_signed", "assessed": "assessed"}  # REFERRAL_STAGES, named


def conversion_counts(ranked: Any) -> list[Any]:
    """Return the three counts of the rows: of companies at or past each stage, or over a period the sums
    of each stage's first rows (one per company that reached it in the period)."""
    if "contacted" in ranked.c:
        return [func.coalesce(func.sum(ranked.c[stage]), 0).label(key) for key, stage in COUNTED.items()]
    return [reached(ranked.c.top, stage, ranked.c.n).label(key) for key, stage in COUNTED.items()]


def tallies(ranked: Any, dimension: str) -> Any:
    """Return the companies' counts per value of the grouping column (a few rows), before any lookup join.

    By referral the value is the referring association; by membership every association the company is an
    active member of (a company counts under each), or none.
    """
    counts = conversion_counts(ranked)
    if "association_id" in ranked.c:  # read from the tallies: already one row per association and stages
        having = func.sum(ranked.c.n) > 0
        return select(ranked.c.association_id, *counts).group_by(ranked.c.association_id).having(having)
    if dimension == "source":
        return select(ranked.c.source_id.label("association_id"), *counts).group_by(ranked.c.source_id)
    if dimension == "membership":
        link = CompanyLink  # its member rows: the company's active memberships, kept with the reach
        member = (link.organisation_id == ranked.c.org_id) & link.member.is_(True)
        query = select(link.association_id, *counts).select_from(ranked.outerjoin(link, member))
        return query.group_by(link.association_id)
    column = ranked.c[CARRIED_BY[dimension]]
    # A value whose tallies add up to no company (their ledger rows cancel out) is no group.
    return select(column, *counts).group_by(column).having(func.sum(ranked.c.n) > 0)


def ranked_for(f: ReportFilters, dimension: str) -> Any:
    """Return the companies to count: counted per value (the tallies) when they hold the answer, over a
    period the period's company days weighed by the stages they reached first, else each company."""
    if (f.date_from or f.date_to) and dimension == "membership":
        return member_firsts(f)  # the period's company days once per active membership, kept as such
    if f.date_from or f.date_to:
        carried = (CARRIED_BY[dimension],) if dimension in CARRIED_BY else ()
        return period_firsts(f, dimension == "source", carried)
    if dimension in CARRIED_BY:
        return counted_reach(f, CARRIED_BY[dimension])
    if tallied(f):
        group = ReachTally.group_value.label("association_id")
        return tally_rows(f, MEMBERSHIP if dimension == "membership" else REFERRAL, group)
    return reach(f, per_source=dimension == "source")  # grouped by association, not a column


def everyone(f: ReportFilters, ranked: Any, dimension: str) -> Any:
    """Return a one-row subquery of every company's counts (the total row), read in the same statement.

    Over a period, the period's rows of every programme (or the programme's), weighed per company. By
    membership without the tallies the companies to group are the companies themselves (one row each);
    by referral without them, the (company, association) rows again per company: a company's furthest stage
    over its programmes' rows is its every-programme row's, so this saves a second read of the history.
    Else the counts come from the funnel's own rows (the tallies).
    """
    if f.date_from or f.date_to:  # read again: PostgreSQL then inlines each read, not materialising it
        companies = period_firsts(f, False, (), name="everyone")
    elif dimension == "membership" and "org_id" in ranked.c:
        companies = ranked
    elif dimension == "source" and "org_id" in ranked.c:
        companies = select(func.max(ranked.c.top).label("top"), one()).group_by(ranked.c.org_id).subquery()
    else:
        companies = counted_reach(f, name="everyone")
    return select(*conversion_counts(companies)).subquery("all_companies")


def conversion_query(f: ReportFilters, dimension: str, sort: str, locale: str) -> Any:
    """Select one row per group: key, label, contacted, letters of interest, assessed or further; by
    association also every company's three counts (a company may count in several groups, or in none)."""
    ranked = ranked_for(f, dimension)
    counted = tallies(ranked, dimension).subquery("tallies")
    source, key, text, order = grouping(dimension, counted, locale)
    extra = []
    if dimension not in CARRIED_BY:
        every = everyone(f, ranked, dimension)
        source = source.join(every, true())
        extra = [cast(func.max(column), Integer) for column in every.c]
    # One row per key; MAX() picks its (single) label, so nothing but the key is grouped on.
    text, order = func.max(text), func.max(order)
    # A sum of counts is NUMERIC on PostgreSQL: back to an integer, as the counts are.
    columns = {name: cast(func.coalesce(func.sum(counted.c[name]), 0), Integer) for name in COUNTED}
    contacted, letters = columns["contacted"], columns["loi"]
    columns["conversion"] = case((contacted > 0, cast(letters, Float) / contacted))
    columns["group"] = order
    chosen = columns[sort.lstrip("-")]
    direction = chosen.desc() if sort.startswith("-") else chosen.asc()
    return (
        select(key, text, contacted, letters, columns["assessed"], *extra)
        .select_from(source)
        .group_by(key)
        .order_by(direction.nulls_last(), order.asc().nulls_last(), key)
    )


def group_label(dimension: str, value: Any) -> str:
    """Return a group's label: the size's translated name, or the "no group" text."""
    if value is None:
        return str(NO_GROUP[dimension])
    return label("size", value) if dimension == "size" else str(value)


def parse_sort(raw: str | None) -> str:
    """Return a whitelisted sort key (a leading '-' sorts descending)."""
    return raw if raw and raw.lstrip("-") in SORT_KEYS and raw.count("-") <= 1 else DEFAULT_SORT


def columns(dimension: str) -> list[Column]:
    """Return the table's columns (all sortable)."""
    return [
        Column("group", str(DIMENSION_TITLES[dimension]), "text", True),
        Column("contacted", _("Contacted"), "int", True),
        Column("loi", _("Letter of interest signed"), "int", True),
        Column("conversion", _("Conversion (%)"), "pct", True),
        Column("interval", _("Interval (95 %)"), "text"),
        Column("assessed", _("Assessed or further"), "int", True),
    ]


def interval_text(signed: int, contacted: int) -> str:
    """Return the rate's Wilson 95 % interval as text, flagged when the sample is small."""
    found = wilson(signed, contacted)
    if found is None:
        return "—"
    low, high = (format_decimal(v, format="#,##0.0") for v in found)
    text = _("%(low)s–%(high)s %%", low=low, high=high)
    return _("%(interval)s (small sample)", interval=text) if contacted < SMALL_SAMPLE else text


def rate_row(group: str, contacted: int, signed: int, assessed: int) -> list[Any]:
    """Return one row: the group, its counts, its rate and the rate's interval."""
    return [group, contacted, signed, percent(signed, contacted), interval_text(signed, contacted), assessed]


def totals(dimension: str, found: list[Any]) -> tuple[int, int, int]:
    """Return all companies' contacted, letters and assessed counts.

    A carried column puts each company in exactly one group (its value or none), so the groups add up to
    the total; by association a company may count in several groups, or in none: every row carries the
    companies' counts (conversion_query), and no row means no company.
    """
    if dimension in CARRIED_BY:
        return tuple(sum(row[i] for row in found) for i in (2, 3, 4))  # type: ignore[return-value]
    return tuple(found[0][5:8]) if found else (0, 0, 0)  # type: ignore[return-value]


def conversion_table(f: ReportFilters, dimension: str, sort: str, locale: str) -> Table:
    """Build the conversion table of a dimension with a total row over distinct companies."""
    found = db.session.execute(conversion_query(f, dimension, sort, locale)).all()
    rows = [rate_row(group_label(dimension, text), c, n, a) for _key, text, c, n, a, *_all in found]
    total = rate_row(_("All companies"), *totals(dimension, found))
    title = _("Conversion by %(group)s", group=str(DIMENSION_TITLES[dimension]).lower())
    table = Table("conversion", title, columns(dimension), rows, total, note=definition(dimension))
    table.chart = conversion_chart(title, rows)
    return table


def definition(dimension: str) -> str:
    """Explain what the rate counts (and why the Metrics page may differ)."""
    text = _(
        "Conversion: companies that signed a letter of interest among the companies contacted, each "
        "company counted once over every programme unless one is chosen; the interval is Wilson's "
        "%(level)s interval. "
        "The Metrics page counts engagements of one programme from last night's snapshot, so its figures "
        "can differ.",
        level="95 %",
    )
    if dimension == "membership":
        text += " " + _("A company that belongs to several associations is counted under each of them.")
    return text


def conversion_chart(title: str, rows: list[list[Any]]) -> Any:
    """Draw the conversion of every group with contacted companies, numerator/denominator beside it."""
    shown = [r for r in rows if r[1]]
    bars = [(r[0], r[3], f"{fmt_number(r[3])} % ({fmt_number(r[2])}/{fmt_number(r[1])})") for r in shown]
    return charts.bar_chart(title, bars)


def build(f: ReportFilters, options: Mapping[str, str], locale: str, **_ignored: Any) -> Report:
    """Build the conversion report for the dimension and sort asked for."""
    dimension = options.get("by") if options.get("by") in DIMENSION_TITLES else "sector"
    sort = parse_sort(options.get("sort"))
    table = conversion_table(f, dimension, sort, locale)
    extra = {"dimension": dimension, "sort": sort, "dimensions": DIMENSION_TITLES}
    return Report("conversion", _("Conversion by sector"), f, [table], extra)

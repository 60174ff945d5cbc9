"""The gap-to-target page for managers: verified and expected against each target, who to approach next."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_login import login_required
from sqlalchemy import select

from crm import clock
from crm.extensions import db
from crm.models import District, Organisation, Sector
from crm.models.results import RESULT_STATUSES
from crm.pagination import Page, page_number
from crm.permissions import require
from crm.reports.indicators import LIGHTS
from crm.results import gap, services, views
from crm.results.blueprint import bp
from crm.web import locale, page_size, to_id


def names(model: Any, ids: list) -> dict:
    """Return the display names of some sectors or districts by id."""
    wanted = [i for i in ids if i]
    rows = db.session.scalars(select(model).where(model.id.in_(wanted))) if wanted else []
    return {row.id: row.label(locale()) if isinstance(row, Sector) else row.name for row in rows}


def grouped(query: Any, column: Any, model: Any) -> list[tuple[str, int, Any]]:
    """Return the prospects by sector or district, with their names."""
    groups = gap.by_group(query, column)
    labels = names(model, [key for key, _n, _p in groups])
    return [(labels.get(key, "—"), count, potential) for key, count, potential in groups]


def used(model: Any, column: Any, order: Any) -> list[Any]:
    """Return the sectors or districts some company is in, for the filters."""
    ids = select(column).where(Organisation.kind == "company", column.is_not(None))
    return list(db.session.scalars(select(model).where(model.id.in_(ids)).order_by(order)))


@bp.get("/gap")
@login_required
@require("result.gap")
def gap_page():
    """Show the gap to each GEF target and the companies to approach next (the reads are recorded)."""
    today = clock.today()
    sector_id, district_id = to_id(request.args.get("sector")), to_id(request.args.get("district"))
    query = gap.prospects(today, sector_id, district_id)
    number = page_number()
    rows, total = gap.prospect_page(query, page_size(), number)
    profile_fields = ("reduction_potential_tco2e",)  # a column of the profile, shown without loading it
    services.log_reads([org.id for org, _potential, _stalled in rows], "emission_profile", profile_fields)
    return render_template(
        "results/gap.html",
        lines=gap.target_lines(today),
        rows=rows,
        page=Page(rows, total, number, page_size()),
        by_sector=grouped(query, Organisation.sector_id, Sector),
        by_district=grouped(query, Organisation.district_id, District),
        sectors=used(Sector, Organisation.sector_id, Sector.code),
        districts=used(District, Organisation.district_id, District.name),
        sector_id=sector_id,
        district_id=district_id,
        stalled_days=gap.STALLED_DAYS,
        lights=LIGHTS,
        programmes=views.programmes(),  # the results register's export filters
        measures=views.measures(),
        result_statuses=RESULT_STATUSES,
    )

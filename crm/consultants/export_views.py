"""The registry as CSV or XLSX for the technical team: the entries the list's filters find, in its order.

Written and sent as every list export (crm.exports.views.download: cells neutralised against formulas, the
XLSX streamed); its About sheet names the filters in words.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from crm.consultants import services
from crm.consultants.blueprint import bp
from crm.consultants.forms import FilterForm
from crm.consultants.services import Filters
from crm.exports.download import FORMATS
from crm.exports.views import download
from crm.extensions import db
from crm.labels import label
from crm.models import CONSULTANT_STATUSES, SPECIALISMS, Consultant, Contact
from crm.permissions import require

BATCH = 1000


def headers() -> list[str]:
    """Return the column names of the registry export."""
    return [_("Id"), _("Last name"), _("First name"), _("Organisation"), _("E-mail"), _("Phone"),
            _("Specialisms"), _("Region"), _("Status"), _("Candidate since"), _("Qualified on"),
            _("Suspended on"), _("Withdrawn on"), _("Published"), _("Evidence"), _("Assignments"),
            _("Notes")]  # fmt: skip


def row(c: Consultant) -> list[Any]:
    """Return one entry as export cells."""
    person, yes_no = c.contact, (lambda flag: _("Yes") if flag else _("No"))
    org = person.organisation.legal_name if person.organisation else _("Independent")
    specialisms = "; ".join(label("specialism", code) for code in c.specialism_list)
    return [c.id, person.last_name, person.first_name, org, person.email, person.phone, specialisms,
            c.region, label("consultant_status", c.status), c.candidate_on, c.qualified_on,
            c.suspended_on, c.withdrawn_on, yes_no(c.published), yes_no(c.evidence_id),
            len(c.assignments), c.notes]  # fmt: skip


def rows(filters: Filters) -> Iterator[list[Any]]:
    """Yield the entries the list shows with these filters, in its order."""
    query = services.registry_query(current_user, filters).options(
        selectinload(Consultant.assignments), selectinload(Consultant.contact, Contact.organisation)
    )
    query = query.execution_options(yield_per=BATCH)
    for consultant in db.session.scalars(query):
        yield row(consultant)


def filter_lines(filters: Filters) -> list[tuple[str, str]]:
    """Return the filters applied, in words, for the About sheet (odd values were ignored)."""
    lines = []
    if filters.specialism in SPECIALISMS:
        lines.append((_("Specialism"), label("specialism", filters.specialism)))
    if filters.region:
        lines.append((_("Region"), filters.region))
    if filters.status in CONSULTANT_STATUSES:
        lines.append((_("Status"), label("consultant_status", filters.status)))
    return lines


@bp.get("/export.<fmt>")
@login_required
@require("consultant.view")
def export(fmt: str):
    """Export the registry with the list's filters and sort, as CSV (UTF-8, BOM) or a streamed XLSX."""
    if fmt not in FORMATS:
        abort(404)
    filters = FilterForm(formdata=request.args).filters(request.args.get("sort", "name"))
    return download(_("consultants"), fmt, (headers(), rows(filters)), lambda: filter_lines(filters))

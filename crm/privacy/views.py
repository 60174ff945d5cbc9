"""Privacy pages: the read trail of confidential data (per company, per user), its export and statement."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from crm import clock
from crm.exports.download import FORMATS, attachment
from crm.exports.writer import to_csv, xlsx_file
from crm.extensions import db
from crm.labels import label
from crm.models import Organisation
from crm.pagination import Page, page_number
from crm.permissions import get_or_404, require, visible_organisations
from crm.privacy import trail_queries as queries
from crm.privacy.blueprint import bp
from crm.web import page_size

EXPORT_LIMIT = 100_000  # rows per export: the trail of years, far beyond what a person reads


WHAT = {"emission_results": _l("Emission results")}  # kinds recorded by hand (crm/results); others are models


def what_label(what: str) -> str:
    """Return the translated name of a kind of confidential data."""
    return str(WHAT[what]) if what in WHAT else label("entity", what.replace("_", ""))


def fields_label(fields: str | None) -> str:
    """Return the translated names of the fields a read showed."""
    return ", ".join(label("field", f) for f in (fields or "").split(",") if f)


def rows_page(filters: queries.TrailFilters) -> Page:
    """Return one page of the filtered trail."""
    number = page_number()
    rows, total = queries.rows_page(filters, page_size(), number)
    return Page(rows, total, number, page_size())


def company_or_404(org_id: int) -> Organisation:
    """Return the company if the user may read its trail (an administrator or its owner), else 404."""
    org = get_or_404(visible_organisations(current_user), org_id)
    if not queries.may_read_company_trail(current_user, org):
        abort(404)
    return org


@bp.route("/trail")
@login_required
@require("privacy.trail_view")
def trail():
    """Show every recorded read of confidential data, filtered, with the counts per user and company."""
    filters = queries.parse_filters(request.args)
    org = get_or_404(visible_organisations(current_user), filters.org_id) if filters.org_id else None
    return render_template(
        "privacy/trail.html",
        filters=filters,
        org=org,
        page=rows_page(filters),
        by_user=queries.per_user(filters),
        by_company=queries.per_company(filters),
        readers=queries.readers(),
    )


@bp.route("/trail/company/<int:org_id>")
@login_required
@require("privacy.trail_own")
def company_trail(org_id: int):
    """Show who read one company's confidential data (administrators and the company's owner)."""
    org = company_or_404(org_id)
    filters = queries.parse_filters(request.args, org_id=org.id)
    return render_template(
        "privacy/company.html",
        filters=filters,
        org=org,
        page=rows_page(filters),
        by_user=queries.per_user(filters),
        readers=queries.readers(),
    )


@bp.route("/trail/company/<int:org_id>/statement")
@login_required
@require("privacy.trail_own")
def statement(org_id: int):
    """Show the printable "who saw your data" statement of one company."""
    org = company_or_404(org_id)
    filters = queries.parse_filters(request.args, org_id=org.id)
    return render_template(
        "privacy/statement.html",
        filters=filters,
        org=org,
        by_user=queries.per_user(filters, limit=500),
        kinds=queries.kinds_read(filters),
        today=clock.today(),
    )


def export_rows(filters: queries.TrailFilters) -> list[list[Any]]:
    """Return the export rows of the filtered trail (newest first)."""
    tz = clock.zone()
    rows = queries.rows_query(filters).limit(EXPORT_LIMIT)
    return [
        [log.at.astimezone(tz).replace(tzinfo=None), reader or "—", log.user_id, company or "—",
         log.organisation_id, what_label(log.what), fields_label(log.fields), log.endpoint, log.path, log.ip]
        for log, reader, company in db.session.execute(rows)
    ]  # fmt: skip


def download(filters: queries.TrailFilters, fmt: str) -> Response:
    """Answer the filtered trail as CSV (UTF-8 with BOM) or XLSX."""
    if fmt not in FORMATS:
        abort(404)
    headers = [_("When"), _("User"), _("User id"), _("Company"), _("Company id"), _("Data"), _("Fields"),
               _("Page"), _("Address"), _("IP address")]  # fmt: skip
    rows = export_rows(filters)
    name = _("read-trail")
    body: Any = "\ufeff" + to_csv(headers, rows) if fmt == "csv" else xlsx_file(headers, rows, title=name)
    return attachment(body, f"{name}-{clock.today().isoformat()}.{fmt}", fmt)


@bp.route("/trail.<fmt>")
@login_required
@require("privacy.trail_view")
def trail_export(fmt: str):
    """Export the filtered trail."""
    return download(queries.parse_filters(request.args), fmt)


@bp.route("/trail/company/<int:org_id>.<fmt>")
@login_required
@require("privacy.trail_own")
def company_export(org_id: int, fmt: str):
    """Export one company's trail."""
    org = company_or_404(org_id)
    return download(queries.parse_filters(request.args, org_id=org.id), fmt)


@bp.context_processor
def trail_helpers() -> dict[str, Any]:
    """Give the privacy templates the labels of what was read."""
    return {"what_label": what_label, "fields_label": fields_label}

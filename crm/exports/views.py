"""Exports of the organisation and contact lists: what the current filters show, as CSV or XLSX.

With columns chosen on the list (`cols`), the export has those columns (crm/exports/columns.py); else all.

Rows come from the same scoped queries as the lists (a liaison exports only their associations'
members); emission profile columns only for roles that may see the profile, and loading each exported
profile writes the read trail (crm/privacy/trail.py). Cells are neutralised against formula injection by
crm.exports.writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from flask import Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import contains_eager, joinedload

from crm.clock import today
from crm.contacts import view_views as contact_list
from crm.contacts.forms import consultant_flag
from crm.contacts.services import ContactSearch, filtered, order_by
from crm.exports import columns
from crm.exports.about import about_sheet, contact_filters, organisation_filters
from crm.exports.blueprint import bp
from crm.exports.download import FORMATS, attachment
from crm.exports.writer import to_csv, xlsx_file
from crm.extensions import db
from crm.labels import label
from crm.models import Contact, Organisation
from crm.organisations import listing
from crm.organisations import saved_views as org_list
from crm.organisations.services import PROFILE_FIELDS
from crm.permissions import can, require, visible_contacts
from crm.web import locale, to_id

BATCH = columns.BATCH


def download(name: str, fmt: str, table: tuple[list[str], Iterator[list[Any]]], filters: Any) -> Response:
    """Answer the table (headings, rows) as a CSV (UTF-8 with BOM, for Excel) or a streamed XLSX attachment.

    filters: a function returning the filter lines of the About sheet (called only for an XLSX).
    """
    headers, rows = table
    if fmt == "csv":
        body: Any = "\ufeff" + to_csv(headers, rows)
    else:
        body = xlsx_file(headers, rows, title=name, about=about_sheet(name, filters()))
    return attachment(body, f"{name}-{today().isoformat()}.{fmt}", fmt)


def org_headers(with_profile: bool) -> list[str]:
    """Return the column names of the organisation export."""
    headers = [_("Id"), _("Legal name"), _("Trade name"), _("RUC"), _("Kind"), _("Sector"), _("District"),
               _("Size"), _("Owner"), _("Website"), _("Notes"), _("Updated")]  # fmt: skip
    if with_profile:
        headers += [_("Electricity use (MWh/year)"), _("Natural gas use (m³/year)"), _("Emits u-POPs"),
                    _("Emission-reduction potential (tCO2e)")]  # fmt: skip
    return headers


def org_rows(query: Any, with_profile: bool) -> Iterator[list[Any]]:
    """Yield the export rows (run inside the view: the profiles it loads are recorded as read)."""
    lang, named = locale(), cache(label)  # a few kinds and sizes, each translated once per export
    show_notes = can(current_user, "org.notes")  # internal notes never leave for liaisons
    if with_profile:
        query = query.options(joinedload(Organisation.profile))
    for org in db.session.scalars(query.execution_options(yield_per=BATCH)):
        row = [org.id, org.legal_name, org.trade_name, org.ruc, named("kind", org.kind),
               org.sector.label(lang) if org.sector else None, org.district.name if org.district else None,
               named("size", org.size), org.owner.name if org.owner else None, org.website,
               org.notes if show_notes else None,
               org.updated_at.date() if org.updated_at else None]  # fmt: skip
        if with_profile:
            row += profile_cells(org.profile)
        yield row


def profile_cells(profile: Any) -> list[Any]:
    """Return the emission profile columns of one organisation."""
    if profile is None:
        return [None] * len(PROFILE_FIELDS)
    values = [getattr(profile, key) for key in PROFILE_FIELDS]
    return [(_("Yes") if v else _("No")) if isinstance(v, bool) else v for v in values]


@bp.route("/export/organisations.<fmt>")
@login_required
@require("org.view")
def organisations(fmt: str):
    """Export the organisations the list shows with the same filters and sort."""
    if fmt not in FORMATS:
        abort(404)
    filters = listing.parse_filters(request.args)
    query = listing.list_query(current_user, filters)
    keys = columns.chosen(org_list.LIST, request.args, columns.organisation_hidden())
    if keys is not None:  # the columns the list shows, no more (no confidential profile among them)
        table = columns.organisation_table(keys, db.session.scalars(query.execution_options(yield_per=BATCH)))
    else:
        with_profile = can(current_user, "profile.view")
        table = org_headers(with_profile), org_rows(query, with_profile)
    return download(
        _("organisations"), fmt, table, lambda: organisation_filters(filters, request.args, locale())
    )


def contact_search() -> ContactSearch:
    """Read the contact list's filters from the query string (odd values are ignored)."""
    args = request.args
    return ContactSearch(
        q=(args.get("q") or "")[:100],
        gender=args.get("gender") or None,
        consultant=consultant_flag(args.get("consultant")),
        organisation_id=to_id(args.get("organisation")),
        sort=(args.get("sort") or "name")[:20],
    )


def contacts_of(search: ContactSearch) -> Iterator[Contact]:
    """Yield the contacts the user may see that match the list's filters, in its order."""
    query = (
        visible_contacts(current_user)
        .outerjoin(Contact.organisation)
        .options(contains_eager(Contact.organisation))
    )
    yield from db.session.scalars(
        order_by(filtered(query, search), search.sort).execution_options(yield_per=BATCH)
    )


def contact_rows(search: ContactSearch) -> Iterator[list[Any]]:
    """Yield every column of the contacts the list shows."""
    yes_no, gender = {True: _("Yes"), False: _("No")}, cache(label)  # translated once per export
    for c in contacts_of(search):
        org = c.organisation
        yield [c.id, c.first_name, c.last_name, c.position, org.legal_name if org else None,
               org.ruc if org else None, c.email, c.phone, gender("gender", c.gender),
               yes_no[bool(c.email_consent)], yes_no[bool(c.qualified_consultant)],
               c.updated_at.date() if c.updated_at else None]  # fmt: skip


@bp.route("/export/contacts.<fmt>")
@login_required
@require("contact.view")
def contacts(fmt: str):
    """Export the contacts the list shows with the same filters and sort."""
    if fmt not in FORMATS:
        abort(404)
    headers = [_("Id"), _("First name"), _("Last name"), _("Position"), _("Organisation"), _("RUC"),
               _("E-mail"), _("Phone"), _("Gender"), _("Accepts e-mail"), _("Qualified consultant"),
               _("Updated")]  # fmt: skip
    search = contact_search()
    keys = columns.chosen(contact_list.LIST, request.args)
    if keys is None:
        table = headers, contact_rows(search)
    else:
        table = columns.table(columns.contact_columns(), keys, contacts_of(search))
    return download(_("contacts"), fmt, table, lambda: contact_filters(search, request.args))

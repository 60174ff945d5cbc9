"""The letters list's export: the letters its filters show, with the columns it shows (or all), CSV or XLSX.

Rows come from the list's own scoped query and order (crm/letters/listing.py); the co-finance amounts are
summed in SQL a batch of letters at a time, as the list sums those of its page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm import clock
from crm.exports import columns
from crm.exports.about import letter_filters
from crm.exports.blueprint import bp
from crm.exports.columns import BATCH, Column, day, named
from crm.exports.download import FORMATS
from crm.exports.views import download
from crm.extensions import db
from crm.letters import listing, materialisations
from crm.letters import view_views as letter_list
from crm.letters.views import overdue_days
from crm.permissions import require
from crm.web import locale

# Every column, in order, when the list shows them all: the list's own and what a spreadsheet adds.
EVERY = ("id", "name", "ruc", "kind", "status", "programme", "requested", "received", "signed", "expires",
         "committed", "materialised", "pending", "document", "updated")  # fmt: skip


def figure(name: str) -> Any:
    """Return a cell reader of one co-finance amount (empty for other letters)."""
    return lambda row: getattr(row[1], name) if row[1] else None


def letter_columns() -> dict[str, Column]:
    """Return the letters' columns; a row is (letter, its co-finance figures or None)."""
    lang, kind, status = locale(), named("letter_kind"), named("letter_status")
    programme = lambda r: r[0].programme.name(lang) if r[0].programme else None  # noqa: E731
    return {
        "id": Column(lambda: _("Id"), lambda r: r[0].id),
        "name": Column(lambda: _("Organisation"), lambda r: r[0].organisation.legal_name),
        "ruc": Column(lambda: _("RUC"), lambda r: r[0].organisation.ruc),
        "kind": Column(lambda: _("Kind"), lambda r: kind(r[0].kind)),
        "status": Column(lambda: _("Status"), lambda r: status(r[0].status)),
        "programme": Column(lambda: _("Programme"), programme),
        "requested": Column(lambda: _("Requested"), lambda r: r[0].requested_on),
        "received": Column(lambda: _("Received"), lambda r: r[0].received_on),
        "signed": Column(lambda: _("Signed"), lambda r: r[0].signed_on),
        "expires": Column(lambda: _("Expires"), lambda r: r[0].expires_on),
        "committed": Column(lambda: _("Committed (USD)"), figure("committed_usd")),
        "materialised": Column(lambda: _("Materialised (USD)"), figure("materialised_usd")),
        "pending": Column(lambda: _("Pending (USD)"), figure("pending_usd")),
        "document": Column(
            lambda: _("Document"), lambda r: r[0].document.original_name if r[0].document else None
        ),
        "updated": Column(lambda: _("Updated"), lambda r: day(r[0].updated_at)),
    }


def with_figures(letters: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
    """Yield each letter with its co-finance figures, summed a batch of letters at a time."""
    return columns.annotated(
        letters, lambda batch: materialisations.figures([x.id for x in batch if x.kind == "cofinance"])
    )


@bp.route("/export/letters.<fmt>")
@login_required
@require("letter.view")
def letters(fmt: str):
    """Export the letters the list shows with the same filters, sort and columns."""
    if fmt not in FORMATS:
        abort(404)
    filters = listing.parse_filters(request.args)
    query = listing.list_query(current_user, filters, clock.today(), overdue_days())
    rows = with_figures(db.session.scalars(query.execution_options(yield_per=BATCH)))
    keys = columns.chosen(letter_list.LIST, request.args)
    every = letter_columns()
    if keys is None:
        table = [every[k].heading() for k in EVERY], ([every[k].cell(r) for k in EVERY] for r in rows)
    else:
        table = columns.table(every, keys, rows)
    return download(_("letters"), fmt, table, lambda: letter_filters(filters, request.args, locale()))

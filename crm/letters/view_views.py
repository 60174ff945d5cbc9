"""Saved views of the letters list: save its filters under a name, delete one (crm.saved_view_routes)."""

from __future__ import annotations

from crm import saved_views
from crm.letters.blueprint import bp
from crm.saved_view_routes import add_routes

LIST = saved_views.ListKind(
    page="letters",
    keys=("q", "kind", "status", "programme", "organisation", "overdue", "unscanned", "sort", "cols"),
    share="letter.edit",
    columns=(
        "kind",
        "status",
        "programme",
        "requested",
        "signed",
        "committed",
        "materialised",
        "pending",
        "document",
    ),
)

add_routes(bp, LIST, "letters.index", "letter.view")

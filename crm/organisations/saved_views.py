"""Saved views of the organisation list (crm.saved_views), and the filters a view holds.

The events' invitations start from these views too, so the organisation list keeps a name for each step.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from crm import saved_views
from crm.models import SavedView, User
from crm.organisations import listing

LIST = saved_views.ListKind(
    page="organisations",
    keys=("q", "kind", "sector", "district", "owner", "sort", "cols"),
    share="org.edit",
    columns=("ruc", "kind", "sector", "stage", "district", "owner", "updated"),
)


def views_of(user: User) -> list[SavedView]:
    """Return the organisation-list views offered to the user."""
    return saved_views.views_of(user, LIST)


def usable_view(user: User, view_id: int | None) -> SavedView | None:
    """Return one organisation-list view the user may open, or None."""
    return saved_views.usable_view(user, LIST, view_id)


def filters_of(view: SavedView) -> listing.Filters:
    """Return the list filters a view holds."""
    return listing.parse_filters(dict(parse_qsl(view.query)))

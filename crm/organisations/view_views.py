"""Saved views of the organisation list: save its filters under a name, delete one (crm.saved_view_routes)."""

from __future__ import annotations

from crm.organisations.blueprint import bp
from crm.organisations.saved_views import LIST
from crm.saved_view_routes import add_routes

add_routes(bp, LIST, "organisations.index", "org.view")

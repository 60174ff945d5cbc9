"""Saved views of the follow-up list: save its tab and status under a name, delete one (saved_view_routes)."""

from __future__ import annotations

from crm import saved_views
from crm.interactions.blueprint import bp
from crm.saved_view_routes import add_routes

LIST = saved_views.ListKind(page="follow_ups", keys=("tab", "status"), share="followup.edit")

add_routes(bp, LIST, "interactions.follow_up_list", "interaction.view")

"""Saved views of the contact list: save its filters under a name, delete one (crm.saved_view_routes)."""

from __future__ import annotations

from crm import saved_views
from crm.contacts.blueprint import bp
from crm.saved_view_routes import add_routes

LIST = saved_views.ListKind(
    page="contacts",
    keys=("q", "gender", "consultant", "organisation", "sort", "cols"),
    share="contact.edit",
    columns=("position", "organisation", "email", "phone", "gender", "updated"),
)

add_routes(bp, LIST, "contacts.index", "contact.view")

"""The "About" sheet of every XLSX export: what the table is, who exported it, when, with which filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from crm.models import utcnow

# Query arguments that only move through a list and say nothing about what it holds.
NOT_FILTERS = ("page", "count", "fmt")


def about_sheet(title: str, filters: Sequence[tuple[str, Any]]) -> tuple[str, list[tuple[Any, Any]]]:
    """Return the About sheet's name and lines: the full title, the export's date and author, the filters."""
    who = getattr(current_user, "name", None) or "—"
    lines: list[tuple[Any, Any]] = [(_("Table"), title), (_("Exported on"), format_datetime(utcnow()))]
    lines.append((_("Exported by"), who))
    lines += list(filters) or [(_("Filters"), _("None: every row you may see"))]
    return _("About"), lines


def query_filters(args: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return a list page's query arguments as filter lines (the search term named as such)."""
    names = {"q": _("Search"), "sort": _("Sort")}
    return [(names.get(k, k), v) for k, v in args.items() if v and k not in NOT_FILTERS]

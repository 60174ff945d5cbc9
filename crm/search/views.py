"""The global search page and its JSON variant for a typeahead."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from crm.labels import label
from crm.organisations import picker
from crm.permissions import can
from crm.search import services
from crm.search.blueprint import bp

TITLES = {
    "organisations": _l("Organisations"),
    "contacts": _l("Contacts"),
    "interactions": _l("Interactions"),
    "letters": _l("Letters"),
    "events": _l("Events"),
}
# Where "see all" leads: the kind's own list, searched for the same words.
LISTS = {
    "organisations": "organisations.index",
    "contacts": "contacts.index",
    "letters": "letters.index",
    "events": "events.index",
}


def link(kind: str, row: Any) -> str:
    """Return the page that shows one result."""
    if kind == "organisations":
        return url_for("organisations.detail", org_id=row.id)
    if kind == "contacts":
        return url_for("contacts.detail", contact_id=row.id)
    if kind == "events":
        return url_for("events.detail", event_id=row.id)
    anchor = "#activity" if kind == "interactions" else "#letters"
    return url_for("organisations.detail", org_id=row.organisation_id) + anchor


def name(kind: str, row: Any) -> str:
    """Return one result's title, as the typeahead shows it."""
    if kind == "organisations":
        return row.display_name
    if kind == "contacts":
        return row.full_name
    if kind == "interactions":
        return f"{row.organisation.legal_name}: {row.summary[:80]}"
    if kind == "letters":
        return f"{label('letter_kind', row.kind)} · {row.organisation.legal_name}"
    return row.title


def query_text() -> str:
    """Return the query, trimmed to a sane length."""
    return (request.args.get("q") or "").strip()[:200]


@bp.route("/")
@login_required
def index():
    """Show the matches of every kind the user may see, grouped by kind."""
    q = query_text()
    groups = services.search(current_user, q) if q else []
    return render_template("search/index.html", q=q, groups=groups, titles=TITLES, lists=LISTS, link=link)


def organisation_items(q: str) -> list[dict[str, Any]]:
    """Return an organisation field's suggestions: the picker's matches, with their ids."""
    if len(q) < 2 or not can(current_user, "org.view"):
        return []
    found = picker.matches(current_user, q, request.args.getlist("org_kind")).found
    return [
        {
            "kind": "organisations",
            "id": org.id,
            "label": org.display_name,
            "detail": " · ".join([str(label("kind", org.kind)), *([f"RUC {org.ruc}"] if org.ruc else [])]),
            "url": link("organisations", org),
        }
        for org in found
    ]


@bp.route("/suggest")
@login_required
def suggest():
    """Answer a typeahead: the first matches of each kind as JSON (kind=organisations: an org field's)."""
    q = query_text()
    if request.args.get("kind") == "organisations":
        return jsonify({"q": q, "items": organisation_items(q)})
    groups = services.search(current_user, q, limit=4) if len(q) >= 2 else []
    items = [
        {"kind": g.kind, "group": str(TITLES[g.kind]), "label": name(g.kind, row), "url": link(g.kind, row)}
        for g in groups
        for row in g.rows
    ]
    return jsonify({"q": q, "items": items})

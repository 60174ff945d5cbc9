"""Choosing one organisation among many, without JavaScript: a search that offers matches, then their id.

A form's search field (GET) lists the best matches of the global search's finder (crm.search.services,
the one behind /search/suggest) in the user's scope, optionally of some kinds; the form that adds the
choice posts the id of one match. That id is resolved through the same scope and kinds, so an unknown
id, or one the user may not see, is refused with a message and never looked up elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import Organisation, User
from crm.permissions import visible_organisations
from crm.search import services as search
from crm.web import to_id

LIMIT = 10  # matches offered; more words narrow the list
TERM_MAX = 200


@dataclass
class Matches:
    """A search term and the organisations it offers (more: others matched too)."""

    term: str = ""
    found: list[Organisation] = field(default_factory=list)
    more: bool = False


def scoped(user: User, kinds: Sequence[str]) -> object:
    """Select the organisations the user may see, of the kinds given (all kinds when none)."""
    query = visible_organisations(user)
    return query.where(Organisation.kind.in_(kinds)) if kinds else query


def matches(user: User, term: str | None, kinds: Sequence[str] = ()) -> Matches:
    """Return the best matches of a name, trade name or RUC: names starting with the first word first."""
    term = (term or "").strip()[:TERM_MAX]
    words = search.words(term)
    if not words:
        return Matches(term)
    matched = scoped(user, kinds).where(search.organisation_match(words))
    ids = select(matched.with_only_columns(Organisation.id).limit(search.CANDIDATES).subquery().c.id)
    starts = case((Organisation.search_text.like(f"{search.escaped(words[0])}%", escape="\\"), 0), else_=1)
    query = select(Organisation).where(Organisation.id.in_(ids))
    rows, more = search.first(
        query.order_by(starts, func.lower(Organisation.legal_name), Organisation.id), LIMIT
    )
    return Matches(term, rows, more)


def chosen(
    user: User, raw_id: object, kinds: Sequence[str] = (), field_name: str = "organisation_id"
) -> Organisation:
    """Return the organisation a form chose by id (in the user's scope, of the kinds), or refuse."""
    org_id = to_id(raw_id)
    org = db.session.scalar(scoped(user, kinds).where(Organisation.id == org_id)) if org_id else None
    if org is None:
        message = _(
            "Choose among the search results: that organisation does not exist or is not yours to choose."
        )
        raise UserError(message, field_name)
    return org

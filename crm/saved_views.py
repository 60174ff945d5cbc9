"""Saved views of the lists: keep a list's filters under a name, reuse them or share them with the team.

Each list declares a ListKind: the value of saved_views.page that tells its views apart, the query keys
the list understands (only those are kept, so a saved view can never carry anything else into a URL)
and the permission needed to share a view with the team. A shared view is offered to everyone who opens
that list; only its author (or an admin, who manages the team's lists) may delete it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import SavedView, User
from crm.permissions import MAX_ID, can

NAME_MAX = 80


@dataclass(frozen=True)
class ListKind:
    """A list whose filters can be saved: its page name, its query keys, who may share."""

    page: str
    keys: tuple[str, ...]
    share: str  # the permission needed to share a view with the team


def clean_query(kind: ListKind, args: Mapping[str, str]) -> str:
    """Return the list's filters as a query string, only known keys with values."""
    return urlencode([(key, str(args[key])[:200]) for key in kind.keys if args.get(key)])


def usable(user: User, kind: ListKind) -> Select:
    """Select the views of a list the user may open: their own and the shared ones, by name."""
    mine_or_shared = or_(SavedView.user_id == user.id, SavedView.shared.is_(True))
    return select(SavedView).where(SavedView.page == kind.page, mine_or_shared).order_by(SavedView.name)


def views_of(user: User, kind: ListKind) -> list[SavedView]:
    """Return the views of a list offered to the user."""
    return list(db.session.scalars(usable(user, kind)))


def deletable(user: User, views: list[SavedView]) -> list[SavedView]:
    """Return the views among these that the user may delete (their own; admins: every one)."""
    return [v for v in views if v.user_id == user.id or can(user, "user.admin")]


def usable_view(user: User, kind: ListKind, view_id: int | None) -> SavedView | None:
    """Return one view of the list the user may open, or None."""
    if not view_id or not 0 < view_id <= MAX_ID:  # an id no integer column holds: nobody's view
        return None
    return db.session.scalar(usable(user, kind).where(SavedView.id == view_id))


def save_view(user: User, kind: ListKind, name: str, args: Mapping[str, str], shared: bool) -> SavedView:
    """Save the list's current filters under a name (replacing the user's view of that name)."""
    name = (name or "").strip()[:NAME_MAX]
    if not name:
        raise UserError(_("Give the view a name."), field="name")
    query = clean_query(kind, args)
    if not query:
        raise UserError(
            _("Choose some filters first: a view without filters is the whole list."), field="name"
        )
    same = select(SavedView).where(
        SavedView.user_id == user.id, SavedView.page == kind.page, SavedView.name == name
    )
    view = db.session.scalar(same) or SavedView(user_id=user.id, page=kind.page, name=name)
    view.query, view.shared = query, bool(shared) and can(user, kind.share)  # the team shares, not liaisons
    db.session.add(view)
    db.session.flush()
    return view


def delete_view(user: User, kind: ListKind, view_id: int) -> str | None:
    """Delete a view the user wrote (admins: any shared one); return its name, or None if not allowed."""
    view = usable_view(user, kind, view_id)
    if view is None or view not in deletable(user, [view]):
        return None
    name = view.name
    db.session.delete(view)
    db.session.flush()
    return name


def offered(user: User, kind: ListKind, args: Mapping[str, str]) -> dict[str, object]:
    """Return what a list page needs for its views: the list, those offered and deletable, the open one."""
    views = views_of(user, kind)
    return {
        "view_kind": kind,
        "saved_views": views,
        "deletable_views": deletable(user, views),
        "current_view_query": clean_query(kind, args),  # the search form also sends its empty fields
    }

"""Saved views of the organisation list: keep its filters under a name, reuse or share them.

Only the keys the list understands are kept (what parse_filters reads), so a saved view can never carry
anything else into a URL. A shared view is offered to the whole team; only its author (or an admin, who
manages the team's lists) may delete it.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import SavedView, User
from crm.organisations import listing
from crm.permissions import MAX_ID, can

PAGE = "organisations"
KEYS = ("q", "kind", "sector", "district", "owner", "sort")
NAME_MAX = 80


def clean_query(args: Mapping[str, str]) -> str:
    """Return the list's filters as a query string, only known keys with values."""
    return urlencode([(key, str(args[key])[:200]) for key in KEYS if args.get(key)])


def usable(user: User) -> Select:
    """Select the views the user may open: their own and the shared ones, by name."""
    mine_or_shared = or_(SavedView.user_id == user.id, SavedView.shared.is_(True))
    return select(SavedView).where(SavedView.page == PAGE, mine_or_shared).order_by(SavedView.name)


def views_of(user: User) -> list[SavedView]:
    """Return the views offered to the user."""
    return list(db.session.scalars(usable(user)))


def deletable(user: User, views: list[SavedView]) -> list[SavedView]:
    """Return the views among these that the user may delete (their own; admins: every one)."""
    return [v for v in views if v.user_id == user.id or can(user, "user.admin")]


def usable_view(user: User, view_id: int | None) -> SavedView | None:
    """Return one view the user may open, or None."""
    if not view_id or not 0 < view_id <= MAX_ID:  # an id no integer column holds: nobody's view
        return None
    return db.session.scalar(usable(user).where(SavedView.id == view_id))


def filters_of(view: SavedView) -> listing.Filters:
    """Return the list filters a view holds."""
    return listing.parse_filters(dict(parse_qsl(view.query)))


def save_view(user: User, name: str, args: Mapping[str, str], shared: bool) -> SavedView:
    """Save the list's current filters under a name (replacing the user's view of that name)."""
    name = (name or "").strip()[:NAME_MAX]
    if not name:
        raise UserError(_("Give the view a name."), field="name")
    query = clean_query(args)
    if not query:
        raise UserError(
            _("Choose some filters first: a view without filters is the whole list."), field="name"
        )
    same = select(SavedView).where(
        SavedView.user_id == user.id, SavedView.page == PAGE, SavedView.name == name
    )
    view = db.session.scalar(same) or SavedView(user_id=user.id, page=PAGE, name=name)
    view.query, view.shared = query, bool(shared) and can(user, "org.edit")  # the team shares, not liaisons
    db.session.add(view)
    db.session.flush()
    return view


def delete_view(user: User, view_id: int) -> str | None:
    """Delete a view the user wrote (admins: any shared one); return its name, or None if not allowed."""
    view = usable_view(user, view_id)
    if view is None or (view.user_id != user.id and not can(user, "user.admin")):
        return None
    name = view.name
    db.session.delete(view)
    db.session.flush()
    return name

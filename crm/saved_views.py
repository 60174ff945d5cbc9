"""Saved views of the lists: keep a list's filters under a name, reuse them or share them with the team.

Each list declares a ListKind: the value of saved_views.page that tells its views apart, the query keys
the list understands (only those are kept, so a saved view can never carry anything else into a URL)
and the permission needed to share a view with the team. A shared view is offered to everyone who opens
that list; only its author (or an admin, who manages the team's lists) may delete it. Each user may mark
one view offered on a list as their default: the list opens with it when opened without a query.

A list may also let the user choose its optional columns: the query key `cols` names them, comma-separated
(a GET form sends one `cols` per ticked box, plus `cols=none`, so that no box ticked still says "none").
All columns is the default and is left out of the query, so a view keeps columns only when they differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import Select, delete, or_, select

from crm.errors import UserError
from crm.extensions import db
from crm.models import SavedView, SavedViewDefault, User
from crm.permissions import MAX_ID, can

NAME_MAX = 80


@dataclass(frozen=True)
class ListKind:
    """A list whose filters can be saved: its page name, its query keys, who may share."""

    page: str
    keys: tuple[str, ...]
    share: str  # the permission needed to share a view with the team
    columns: tuple[str, ...] = ()  # the optional columns the user may hide, in the table's order


def chosen_columns(kind: ListKind, args: Mapping[str, str]) -> tuple[str, ...]:
    """Return the optional columns to show: those `cols` names (unknown names ignored), else all."""
    getlist = getattr(args, "getlist", None)
    raw = ",".join(getlist("cols")) if getlist else str(args.get("cols") or "")
    names = set(raw.split(","))
    chosen = tuple(column for column in kind.columns if column in names)
    return chosen if chosen or "none" in names else kind.columns


def columns_value(kind: ListKind, args: Mapping[str, str]) -> str:
    """Return the `cols` value of the chosen columns: empty for all of them, "none" for none."""
    chosen = chosen_columns(kind, args)
    if chosen == kind.columns:
        return ""
    return ",".join(chosen) or "none"


def clean_pairs(kind: ListKind, args: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return the list's filters as (key, value) pairs, only known keys with values."""
    values = {key: str(args.get(key) or "")[:200] for key in kind.keys}
    if "cols" in values:
        values["cols"] = columns_value(kind, args)
    return [(key, value) for key, value in values.items() if value]


def clean_query(kind: ListKind, args: Mapping[str, str]) -> str:
    """Return the list's filters as a query string, only known keys with values."""
    return urlencode(clean_pairs(kind, args), safe=",")  # cols=a,b reads as it is typed


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
    # Said here, not left to ON DELETE CASCADE: SQLite does not enforce foreign keys.
    db.session.execute(delete(SavedViewDefault).where(SavedViewDefault.saved_view_id == view.id))
    db.session.delete(view)
    db.session.flush()
    return name


def is_default(user: User) -> Any:
    """Return the join condition of a view with the user's default row pointing at it."""
    return (SavedViewDefault.saved_view_id == SavedView.id) & (SavedViewDefault.user_id == user.id)


def default_view(user: User, kind: ListKind) -> SavedView | None:
    """Return the view the user opens the list with, if it is still offered to them."""
    return db.session.scalar(usable(user, kind).join(SavedViewDefault, is_default(user)))


def set_default(user: User, kind: ListKind, view_id: int) -> SavedView | None:
    """Make a view offered to the user their default for its list; return it, or None if not offered."""
    view = usable_view(user, kind, view_id)
    if view is None:
        return None
    row = db.session.get(SavedViewDefault, (user.id, kind.page))
    row = row or SavedViewDefault(user_id=user.id, page=kind.page)
    row.saved_view_id = view.id
    db.session.add(row)
    db.session.flush()
    return view


def clear_default(user: User, kind: ListKind) -> None:
    """Open the list unfiltered again: forget the user's default view of it."""
    where = (SavedViewDefault.user_id == user.id) & (SavedViewDefault.page == kind.page)
    db.session.execute(delete(SavedViewDefault).where(where))
    db.session.flush()


def offered(user: User, kind: ListKind, args: Mapping[str, str]) -> dict[str, object]:
    """Return what a list page needs for its views: the list, those offered and deletable, the open one."""
    # One query: the views offered, each with whether it is the user's default.
    query = (
        usable(user, kind).add_columns(SavedViewDefault.page).outerjoin(SavedViewDefault, is_default(user))
    )
    rows = db.session.execute(query).all()
    views = [view for view, _page in rows]
    return {
        "view_kind": kind,
        "saved_views": views,
        "deletable_views": deletable(user, views),
        "default_view": next((view for view, page in rows if page), None),
        "current_view_pairs": clean_pairs(kind, args),
        "current_view_query": clean_query(kind, args),  # the search form also sends its empty fields
        "columns": chosen_columns(kind, args),
        "columns_chosen": bool(columns_value(kind, args)),
    }

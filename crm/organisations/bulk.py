"""Bulk actions on the organisation list: reassign the owner, add a follow-up, invite to an event, export.

Each action runs in the request's one transaction and goes through the same services (and so the same
history and e-mails) as the single-record pages; it is refused whole, changing nothing, when one
selected organisation is out of the user's scope or when the action's values are wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, select

from crm.clock import today as clock_today
from crm.errors import UserError
from crm.events import invite
from crm.extensions import db
from crm.interactions.follow_ups import NewFollowUp, create_follow_up
from crm.models import Event, Organisation, User
from crm.organisations import listing
from crm.permissions import can, visible_organisations
from crm.templating import fmt_number

MAX_ROWS = 2000  # beyond this, narrow the filters: one transaction must stay short


@dataclass
class Selection:
    """Which organisations a bulk action is for: the ticked ids, or every row the filters find."""

    ids: list[int]
    filters: listing.Filters | None = None  # set when "all found by the filters" was chosen


def selected_query(user: User, selection: Selection) -> Select:
    """Select the organisations of the selection, in the list's order, within the user's scope."""
    if selection.filters is not None:
        return listing.list_query(user, selection.filters)
    query = visible_organisations(user).where(Organisation.id.in_(selection.ids))
    return query.order_by(Organisation.legal_name, Organisation.id)


def targets(user: User, selection: Selection) -> list[Organisation]:
    """Load the selected organisations, or refuse: none chosen, too many, or one out of scope."""
    if selection.filters is None and not selection.ids:
        raise UserError(_("Tick at least one organisation, or choose all those found."))
    found = list(db.session.scalars(selected_query(user, selection).limit(MAX_ROWS + 1)))
    if len(found) > MAX_ROWS:
        message = _("More than %(num)s organisations: narrow the filters first.", num=fmt_number(MAX_ROWS))
        raise UserError(message)
    missing = len(set(selection.ids)) - len(found) if selection.filters is None else 0
    if missing:
        raise UserError(
            ngettext(
                "%(num)s of the selected organisations is not within your scope; nothing was changed.",
                "%(num)s of the selected organisations are not within your scope; nothing was changed.",
                missing,
            )
        )
    return found


def reassign_owner(user: User, selection: Selection, owner_id: int | None) -> int:
    """Make one staff member the owner of every selected organisation; return how many changed."""
    owners = {u.id for u in listing.staff_users()}
    if owner_id not in owners:
        raise UserError(_("Choose an active staff member as the new owner."), field="owner_id")
    changed = 0
    for org in targets(user, selection):
        if org.owner_id != owner_id:
            org.owner_id = owner_id
            changed += 1
    db.session.flush()
    return changed


def add_follow_ups(user: User, selection: Selection, values: NewFollowUp, today: date) -> int:
    """Add the same follow-up to every selected organisation; return how many were added."""
    orgs = targets(user, selection)
    alone = len(orgs) == 1  # one e-mail per follow-up would flood the assignee; the digest lists them
    for org in orgs:
        one = NewFollowUp(org.id, values.description, values.assignee_id, values.due_on)
        create_follow_up(user, one, today, notify=alone)
    return len(orgs)


def upcoming_events() -> list[Event]:
    """Return the events still to come, soonest first (those people can be invited to)."""
    query = select(Event).where(Event.held_on >= clock_today()).order_by(Event.held_on, Event.id)
    return list(db.session.scalars(query.limit(200)))


def invite_people(user: User, selection: Selection, event_id: int | None, language: str) -> int:
    """Invite the consenting people of the selected organisations to an upcoming event; return how many."""
    event = next((e for e in upcoming_events() if e.id == event_id), None)
    if event is None or not can(user, "event.edit"):
        raise UserError(_("Choose an upcoming event."), field="event_id")
    chosen = invite.InviteFilters(organisations=tuple(org.id for org in targets(user, selection)))
    return invite.send(user, event, chosen, language, "")

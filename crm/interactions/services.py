"""Interactions and follow-ups: logging, editing and listing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, false, select

from crm import clock
from crm.errors import UserError
from crm.extensions import db
from crm.models import INTERACTION_KINDS, Contact, FollowUp, Interaction, Organisation, User
from crm.outbox import queue_mail
from crm.permissions import can, roles_with, visible_organisations


@dataclass
class InteractionValues:
    """The fields of an interaction, as submitted."""

    kind: str
    occurred_on: date
    staff_id: int
    summary: str
    outcome: str | None = None
    next_step: str | None = None
    contact_ids: list[int] = field(default_factory=list)


@dataclass
class FollowUpValues:
    """The optional follow-up logged with an interaction."""

    due_on: date | None = None
    assignee_id: int | None = None
    description: str | None = None

    def given(self) -> bool:
        """Return whether any follow-up field was filled in."""
        return bool(self.due_on or self.assignee_id or (self.description or "").strip())


def recent_for_organisation(user: User, org_id: int, limit: int = 20) -> list[Interaction]:
    """Return the organisation's latest interactions (empty for roles that may not see them)."""
    if not can(user, "interaction.view"):
        return []
    query = (
        select(Interaction)
        .where(Interaction.organisation_id == org_id)
        .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def visible_interactions(user: User) -> Select:
    """Select the interactions the user may see (none for liaisons)."""
    if not can(user, "interaction.view"):
        return select(Interaction).where(false())
    org_ids = visible_organisations(user).with_only_columns(Organisation.id)
    return select(Interaction).where(Interaction.organisation_id.in_(org_ids))


def editable_interactions(user: User) -> Select:
    """Select the interactions the user may change: managers all, staff their own."""
    query = visible_interactions(user)
    if can(user, "interaction.edit_any"):
        return query
    if can(user, "interaction.log"):
        return query.where(Interaction.staff_id == user.id)
    return query.where(false())


def may_edit_interaction(user: User, interaction: Interaction) -> bool:
    """Return whether the user may change this interaction (for showing links)."""
    if can(user, "interaction.edit_any"):
        return True
    return can(user, "interaction.log") and interaction.staff_id == user.id


def staff_choices(include_id: int | None = None) -> list[tuple[int, str]]:
    """Return (id, name) of active staff who can log interactions, plus include_id."""
    condition = User.role.in_(roles_with("interaction.log")) & User.active.is_(True)
    if include_id is not None:
        condition = condition | (User.id == include_id)
    rows = db.session.execute(select(User.id, User.name).where(condition).order_by(User.name))
    return [(row.id, row.name) for row in rows]


def contacts_in(org_id: int, ids: list[int]) -> list[Contact]:
    """Return those of the given contacts that belong to the organisation."""
    if not ids:
        return []
    query = select(Contact).where(Contact.organisation_id == org_id, Contact.id.in_(ids))
    return list(db.session.scalars(query))


def interaction_problems(
    values: InteractionValues, contacts: list[Contact], staff_ids: set[int], today: date
) -> dict[str, str]:
    """Return what is wrong with an interaction, by form field."""
    problems = {}
    if values.kind not in INTERACTION_KINDS:
        problems["kind"] = _("Choose the kind of interaction.")
    if values.occurred_on > today:
        problems["occurred_on"] = _("The interaction cannot be dated in the future.")
    if not (values.summary or "").strip():
        problems["summary"] = _("Write a short summary.")
    if set(values.contact_ids) - {c.id for c in contacts}:
        problems["contact_ids"] = _("Some of the chosen contacts do not belong to this organisation.")
    if values.staff_id not in staff_ids:
        problems["staff_id"] = _("Choose an active staff member.")
    return problems


def follow_up_problems(
    values: FollowUpValues, next_step: str | None, staff_ids: set[int], today: date
) -> dict[str, str]:
    """Return what is wrong with a follow-up, by form field (nothing if none was asked for)."""
    if not values.given():
        return {}
    problems = {}
    if values.due_on is None:
        problems["follow_up_due"] = _("Give the follow-up a due date, or leave all follow-up fields empty.")
    elif values.due_on < today:
        problems["follow_up_due"] = _("The follow-up due date cannot be in the past.")
    if values.assignee_id is None:
        problems["follow_up_assignee"] = _("Choose who will follow up, or leave all follow-up fields empty.")
    elif values.assignee_id not in staff_ids:
        problems["follow_up_assignee"] = _("Choose an active staff member.")
    if not (values.description or next_step or "").strip():
        problems["follow_up_description"] = _("Describe the follow-up or fill in the next step.")
    return problems


def text(value: str | None) -> str | None:
    """Strip text and turn empty text into None."""
    return (value or "").strip() or None


def apply(interaction: Interaction, values: InteractionValues, contacts: list[Contact]) -> None:
    """Copy the submitted values onto the interaction."""
    interaction.kind = values.kind
    interaction.occurred_on = values.occurred_on
    interaction.staff_id = values.staff_id
    interaction.summary = values.summary.strip()
    interaction.outcome = text(values.outcome)
    interaction.next_step = text(values.next_step)
    interaction.contacts = contacts


def notify_assignment(actor: User, follow_up: FollowUp, today: date) -> None:
    """Queue the 'assigned to you' e-mail, in this transaction, unless people assign themselves."""
    if follow_up.assignee_id == actor.id:
        return
    queue_mail(
        "follow_up_assigned",
        follow_up.assignee_id,
        subject_type="followup",
        subject_id=follow_up.id,
        # One e-mail per assignee and day: a double-submitted form does not mail twice.
        period=f"{follow_up.assignee_id}@{today.isoformat()}",
        payload={
            "follow_up_id": follow_up.id,
            "title": follow_up.description,
            "organisation_id": follow_up.organisation_id,
            "due_on": follow_up.due_on.isoformat(),
            "assigned_by_id": actor.id,
            "assigned_by": actor.name,
        },
    )


def new_follow_up(
    user: User, interaction: Interaction, values: FollowUpValues, today: date | None = None
) -> FollowUp:
    """Add the follow-up of a new interaction; the description defaults to the next step."""
    description = text(values.description) or text(interaction.next_step) or ""
    follow_up = FollowUp(
        organisation_id=interaction.organisation_id,
        interaction=interaction,
        assignee_id=values.assignee_id,
        created_by_id=user.id,
        due_on=values.due_on,
        description=description[:500],
    )
    db.session.add(follow_up)
    db.session.flush()  # the e-mail names the follow-up by id
    notify_assignment(user, follow_up, today or clock.today())
    return follow_up


def log_interaction(
    user: User, org_id: int, values: InteractionValues, follow_up: FollowUpValues, today: date | None = None
) -> Interaction:
    """Record an interaction and its optional follow-up, or raise UserError."""
    today = today or clock.today()
    contacts = contacts_in(org_id, values.contact_ids)
    staff_ids = {pair[0] for pair in staff_choices()}
    problems = interaction_problems(values, contacts, staff_ids, today)
    problems |= follow_up_problems(follow_up, values.next_step, staff_ids, today)
    if problems:
        raise UserError(problems=problems)
    interaction = Interaction(organisation_id=org_id)
    apply(interaction, values, contacts)
    db.session.add(interaction)
    if follow_up.given():
        new_follow_up(user, interaction, follow_up, today)
    db.session.flush()
    return interaction


def update_interaction(
    interaction: Interaction, values: InteractionValues, today: date | None = None
) -> None:
    """Save changes to an interaction, or raise UserError."""
    contacts = contacts_in(interaction.organisation_id, values.contact_ids)
    staff_ids = {pair[0] for pair in staff_choices(include_id=interaction.staff_id)}
    problems = interaction_problems(values, contacts, staff_ids, today or clock.today())
    if problems:
        raise UserError(problems=problems)
    apply(interaction, values, contacts)
    db.session.flush()


def delete_interaction(interaction: Interaction) -> int:
    """Delete an interaction (its follow-ups stay, unlinked); return its organisation id."""
    org_id = interaction.organisation_id
    db.session.delete(interaction)
    db.session.flush()
    return org_id

"""The optional parts of an organisation row: a contact, an association membership, a pipeline stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.imports import bulk, parsing
from crm.imports.lookups import Lookups, association_id
from crm.imports.matching import ContactIndex
from crm.imports.rows import PassContext, RowResult
from crm.models import ALL_STAGES, Contact, Engagement, Membership, Organisation, Programme
from crm.models.organisation import OrgKind
from crm.pipeline import services as pipeline
from crm.text import fold

CONTACT_KEYS = (
    "contact_name",
    "contact_first_name",
    "contact_last_name",
    "contact_position",
    "contact_email",
    "contact_phone",
    "contact_gender",
)
FIRST_STAGES = ("identified", "contacted", "meeting_held")


class RowWriteError(ValueError):
    """A row could not be written although the preview accepted it; the whole import is undone."""


@dataclass
class State:
    """The memberships and engagements of the organisations a chunk updates."""

    memberships: dict[tuple[int, int], Membership] = field(default_factory=dict)
    engagements: dict[tuple[int, int], Engagement] = field(default_factory=dict)


# --- parsing ---------------------------------------------------------------------------------------------


def parse(row: RowResult, lookups: Lookups, ctx: PassContext) -> dict[str, Any]:
    """Return the row's contact, membership and stage parts (None when the row has none)."""
    return {
        "contact": parse_contact(row, lookups),
        "membership": parse_membership(row, lookups, ctx),
        "stage": parse_stage(row, lookups, ctx),
    }


def split_name(full: str) -> tuple[str, str]:
    """Split 'Ana María Pérez Gómez' into given names and surnames (Spanish names carry two)."""
    words = full.split()
    if len(words) <= 1:
        return "", full.strip()
    given = 1 if len(words) <= 3 else len(words) - 2
    return " ".join(words[:given]), " ".join(words[given:])


def parse_contact(row: RowResult, lookups: Lookups) -> dict[str, Any] | None:
    """Return the contact person of the row, if its contact columns hold anything."""
    if not any(row.cells.get(k, "").strip() for k in CONTACT_KEYS):
        return None
    first = row.cell("contact_first_name", partial(parsing.text, max_length=80)) or ""
    last = row.cell("contact_last_name", partial(parsing.text, max_length=80)) or ""
    full = row.cell("contact_name", partial(parsing.text, max_length=160))
    if not (first or last) and full:
        first, last = split_name(full)
    if not (first or last) or len(first) > 80 or len(last) > 80:
        row.error("contact_name", _("The contact needs a first and last name (at most 80 characters each)."))
    gender_raw = row.cells.get("contact_gender", "").strip()
    gender = lookups.enum("gender", gender_raw) if gender_raw else "not_recorded"
    if gender is None:
        row.error("contact_gender", _("Unknown gender “%(value)s”.", value=gender_raw))
    return {
        "first_name": first,
        "last_name": last,
        "email": row.cell("contact_email", parsing.email),
        "position": row.cell("contact_position", partial(parsing.text, max_length=120)),
        "phone": row.cell("contact_phone", partial(parsing.text, max_length=40)),
        "gender": gender or "not_recorded",
    }


def parse_membership(row: RowResult, lookups: Lookups, ctx: PassContext) -> dict[str, Any] | None:
    """Return the association membership of the row, if it names an association."""
    raw = row.cells.get("association", "").strip()
    if not raw:
        return None
    found = association_id(lookups.associations, raw)
    if found is None:
        row.error("association", _("Unknown association “%(value)s”: add it as a business association first.",
                                    value=raw))  # fmt: skip
    status_raw = row.cells.get("membership_status", "").strip()
    status = lookups.enum("membership_status", status_raw) if status_raw else "active"
    if status is None:
        row.error("membership_status", _("Unknown membership status “%(value)s”.", value=status_raw))
    since = row.cell("membership_since", partial(parsing.past_day, today=ctx.today))
    return {"association_id": found, "status": status, "since": since}


def parse_stage(row: RowResult, lookups: Lookups, ctx: PassContext) -> dict[str, Any] | None:
    """Return the programme stage of the row, if it has one."""
    raw = row.cells.get("stage", "").strip()
    if not raw:
        return None
    stage = lookups.enum("stage", raw)
    if stage not in ALL_STAGES:
        row.error("stage", _("Unknown stage “%(value)s”.", value=raw))
    programme_raw = row.cells.get("programme", "").strip()
    programme = lookups.programmes.get(fold(programme_raw)) if programme_raw else lookups.default_programme
    if programme is None:
        row.error("programme", _("Unknown programme “%(value)s”.", value=programme_raw))
    occurred_on = row.cell("stage_date", partial(parsing.past_day, today=ctx.today)) or ctx.today
    return {"stage": stage, "programme_id": programme, "occurred_on": occurred_on}


# --- comparing with what is stored -----------------------------------------------------------------------


def load_state(org_ids: list[int | None], ctx: PassContext) -> State:
    """Load the memberships and engagements of the chunk's organisations in two queries."""
    ids = [i for i in org_ids if i is not None]
    state = State()
    if not ids or not ({"association", "stage"} & ctx.mapping.keys()):
        return state
    for m in db.session.scalars(select(Membership).where(Membership.company_id.in_(ids))):
        state.memberships[(m.company_id, m.association_id)] = m
    for e in db.session.scalars(select(Engagement).where(Engagement.organisation_id.in_(ids))):
        state.engagements[(e.organisation_id, e.programme_id)] = e
    return state


def plan(
    row: RowResult, target: Organisation | None, state: State, contacts: ContactIndex, ctx: PassContext
) -> None:
    """Add the contact, membership and stage changes of the row to its plan, or their errors."""
    kind = row.values["org"].get("kind") or (target.kind if target else OrgKind.COMPANY)
    org_id = target.id if target else None
    if (contact := row.values["contact"]) and not known_contact(contact, org_id, contacts):
        row.extras.append("contact")
    if membership := row.values["membership"]:
        plan_membership(row, kind, state.memberships.get((org_id, membership["association_id"])))
    if stage := row.values["stage"]:
        plan_stage(row, kind, state.engagements.get((org_id, stage["programme_id"])), ctx)


def known_contact(contact: dict[str, Any], org_id: int | None, contacts: ContactIndex) -> bool:
    """Return whether the person is already recorded (same e-mail, or same name at the organisation)."""
    if contact["email"] and contacts.by_email.get(contact["email"].lower()):
        return True
    return (
        org_id is not None
        and contacts.match(None, contact["first_name"], contact["last_name"], org_id).how is not None
    )


def plan_membership(row: RowResult, kind: str, existing: Membership | None) -> None:
    """Plan a new membership, or a status change of the stored one."""
    membership = row.values["membership"]
    if kind != OrgKind.COMPANY:
        row.error("association", _("Memberships link a company to a business association."))
    elif existing is None:
        row.extras.append("membership")
    elif existing.status != membership["status"]:
        row.extras.append("membership_status")


def plan_stage(row: RowResult, kind: str, engagement: Engagement | None, ctx: PassContext) -> None:
    """Plan a new engagement or a move, checked by the pipeline's own rules."""
    stage = row.values["stage"]
    if kind != OrgKind.COMPANY:
        row.error("stage", _("Only companies take part in the pipeline."))
    elif engagement is None and stage["stage"] not in FIRST_STAGES:
        row.error("stage", _("A new engagement starts at identified, contacted or meeting held."))
    elif engagement is None:
        row.extras.append("stage")
    elif engagement.stage != stage["stage"]:
        try:
            pipeline.check_move(engagement, pipeline.Move(stage["stage"], stage["occurred_on"]), ctx.today)
        except UserError as exc:
            row.error("stage", str(exc))
        else:
            row.extras.append("stage")


# --- writing ---------------------------------------------------------------------------------------------


def write(
    rows: list[RowResult],
    targets: dict[int, Organisation],
    state: State,
    contacts: ContactIndex,
    ctx: PassContext,
) -> None:
    """Write the planned contacts and memberships of a chunk in bulk, then its stage moves one by one."""
    people = [new_contact(r, contacts) for r in rows if "contact" in r.extras]
    bulk.create_many(Contact, [p for p in people if p], ctx.batch_id)
    members = [
        {"company_id": r.target_id, **r.values["membership"]} for r in rows if "membership" in r.extras
    ]
    bulk.create_many(Membership, members, ctx.batch_id)
    for row in rows:
        if "membership_status" in row.extras:
            membership = row.values["membership"]
            existing = state.memberships[(row.target_id, membership["association_id"])]
            existing.status = membership["status"]
            existing.since = membership["since"] or existing.since
        if "stage" in row.extras:
            org = targets.get(row.target_id) or db.session.get(Organisation, row.target_id)
            write_stage(row, org, state, ctx)
    db.session.flush()


def new_contact(row: RowResult, contacts: ContactIndex) -> dict[str, Any] | None:
    """Return the row's new contact, unless an earlier row of the file brought the same person."""
    values = row.values["contact"]
    email = (values["email"] or "").lower()
    if email and contacts.by_email.get(email):
        return None
    if email:
        contacts.by_email[email] = [0]
    return {"organisation_id": row.target_id, **values}


def write_stage(row: RowResult, org: Organisation, state: State, ctx: PassContext) -> None:
    """Start the engagement or move it, through the pipeline service (same rules as the board)."""
    stage = row.values["stage"]
    move = pipeline.Move(stage["stage"], stage["occurred_on"])
    engagement = state.engagements.get((org.id, stage["programme_id"]))
    try:
        if engagement is None:
            programme = db.session.get(Programme, stage["programme_id"])
            state.engagements[(org.id, programme.id)] = pipeline.start(
                org, programme, move, ctx.user_id, ctx.today
            )
        else:
            pipeline.move(engagement, move, ctx.user_id, ctx.today)
    except (UserError, StaleEditError) as exc:
        raise RowWriteError(_("Row %(row)s: %(problem)s", row=row.number, problem=str(exc))) from exc

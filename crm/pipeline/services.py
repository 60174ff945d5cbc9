"""The one service that moves engagements: stage and transition rows always change together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm.exc import StaleDataError

from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.models import (
    ALL_STAGES,
    EXITS,
    STAGES,
    Barrier,
    Engagement,
    Letter,
    Organisation,
    Programme,
    StageTransition,
)
from crm.models.organisation import OrgKind


@dataclass(frozen=True)
class Move:
    """What the user asked for: the target stage, when it happened, why."""

    to_stage: str
    occurred_on: date
    note: str | None = None
    barrier_id: int | None = None
    feasibility_delivered_on: date | None = None


def position(stage: str | None) -> int:
    """Return the stage's place on the forward path (-1 for exits and none)."""
    return STAGES.index(stage) if stage in STAGES else -1


def has_signed_interest_letter(organisation_id: int, programme_id: int) -> bool:
    """Return whether a signed letter of interest exists for the company (this programme or none)."""
    query = select(Letter.id).where(
        Letter.organisation_id == organisation_id,
        Letter.kind == "interest",
        Letter.status == "signed",
        (Letter.programme_id == programme_id) | (Letter.programme_id.is_(None)),
    )
    return db.session.scalar(select(exists(query))) or False


def check_dates(engagement: Engagement | None, move: Move, today: date) -> None:
    """Refuse a future date, or one before the engagement's last recorded change."""
    if move.occurred_on > today:
        raise UserError(_("A stage change cannot be dated in the future."), "occurred_on")
    if engagement is not None and engagement.stage_since and move.occurred_on < engagement.stage_since:
        message = _("The change cannot be dated before the current stage began (%(day)s).", day="%s")
        raise UserError(message % engagement.stage_since.strftime("%d/%m/%Y"), "occurred_on")


def check_reason(engagement: Engagement | None, move: Move) -> None:
    """Exits need an active barrier reason and a note; going backwards needs a note."""
    note = (move.note or "").strip()
    if move.to_stage in EXITS:
        barrier = db.session.get(Barrier, move.barrier_id) if move.barrier_id else None
        if barrier is None or not barrier.active:
            raise UserError(_("Choose the reason why the company leaves the pipeline."), "barrier_id")
        if not note:
            raise UserError(_("Write a note explaining the exit."), "note")
    current = engagement.stage if engagement is not None else None
    if position(move.to_stage) < position(current) and move.to_stage in STAGES and not note:
        raise UserError(_("Moving back to an earlier stage needs a note."), "note")


def check_gates(engagement: Engagement, move: Move) -> None:
    """Enforce the evidence a stage requires, also when a move skips past the gated stage."""
    target = position(move.to_stage)
    if target >= position("loi_signed") and not has_signed_interest_letter(
        engagement.organisation_id, engagement.programme_id
    ):
        raise UserError(
            _("The company needs a signed letter of interest before it can enter this stage."),
            "record_letter",
        )
    delivered = move.feasibility_delivered_on or engagement.feasibility_delivered_on
    if target >= position("feasibility_delivered") and delivered is None:
        raise UserError(_("Enter the date the feasibility study was delivered."), "feasibility_delivered_on")


def check_move(engagement: Engagement, move: Move, today: date) -> None:
    """Run every rule; raise UserError on the first broken one."""
    if move.to_stage not in ALL_STAGES:
        raise UserError(_("Choose a valid stage."), "to_stage")
    if move.to_stage == engagement.stage:
        raise UserError(_("The company is already at this stage."), "to_stage")
    if move.feasibility_delivered_on and move.feasibility_delivered_on > today:
        raise UserError(_("The delivery date cannot be in the future."), "feasibility_delivered_on")
    check_dates(engagement, move, today)
    check_reason(engagement, move)
    check_gates(engagement, move)


def record(engagement: Engagement, move: Move, user_id: int | None) -> StageTransition:
    """Append the transition and update the current stage in the same flush."""
    transition = StageTransition(
        engagement=engagement,
        from_stage=engagement.stage,
        to_stage=move.to_stage,
        occurred_on=move.occurred_on,
        by_id=user_id,
        note=(move.note or "").strip() or None,
        barrier_id=move.barrier_id if move.to_stage in EXITS else None,
    )
    engagement.stage = move.to_stage
    engagement.stage_since = move.occurred_on
    if move.feasibility_delivered_on:
        engagement.feasibility_delivered_on = move.feasibility_delivered_on
    db.session.add(transition)
    return transition


def move(
    engagement: Engagement, move: Move, user_id: int | None, today: date, expected_version: int | None = None
) -> StageTransition:
    """Move an engagement after checking every rule; StaleEditError if it changed meanwhile."""
    if expected_version is not None and expected_version != engagement.version_id:
        raise StaleEditError()
    check_move(engagement, move, today)
    transition = record(engagement, move, user_id)
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleEditError() from None
    return transition


def engagement_for(organisation_id: int, programme_id: int) -> Engagement | None:
    """Return the company's engagement in a programme, if any."""
    query = select(Engagement).where(
        Engagement.organisation_id == organisation_id, Engagement.programme_id == programme_id
    )
    return db.session.scalars(query).first()


def start(
    organisation: Organisation, programme: Programme, move: Move, user_id: int | None, today: date, **source
) -> Engagement:
    """Open a company's engagement in a programme with its first transition."""
    if organisation.kind != OrgKind.COMPANY:
        raise UserError(_("Only companies take part in the pipeline."))
    if engagement_for(organisation.id, programme.id) is not None:
        raise UserError(_("The company is already engaged in this programme."), "programme_id")
    if move.to_stage not in STAGES or position(move.to_stage) > position("meeting_held"):
        raise UserError(_("A new engagement starts at identified, contacted or meeting held."), "to_stage")
    check_dates(None, move, today)
    engagement = Engagement(
        organisation_id=organisation.id,
        programme_id=programme.id,
        stage=None,
        stage_since=move.occurred_on,
        **source,
    )
    db.session.add(engagement)
    record(engagement, move, user_id)
    db.session.flush()
    return engagement

"""Evidence for the gates: record the signed letter of interest in the same transaction as the move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from crm.errors import StaleEditError, UserError
from crm.extensions import db
from crm.models import Contact, Engagement, Letter, StageTransition
from crm.pipeline import services
from crm.pipeline.services import Move


@dataclass(frozen=True)
class LetterInput:
    """The signed letter of interest the user records while moving the company."""

    signed_on: date | None
    signatory_id: int | None = None


def check_signatory(organisation_id: int, signatory_id: int | None) -> None:
    """Refuse a signatory who is not a contact of the company."""
    if signatory_id is None:
        return
    query = select(Contact.id).where(Contact.id == signatory_id, Contact.organisation_id == organisation_id)
    if db.session.scalar(query) is None:
        raise UserError(_("The signatory must be a contact of the company."), "signatory_id")


def check_letter(letter: LetterInput, move: Move, today: date) -> None:
    """The letter needs a signing date, not in the future nor after the move itself."""
    if letter.signed_on is None:
        raise UserError(_("Enter the date the letter of interest was signed."), "letter_signed_on")
    if letter.signed_on > today:
        raise UserError(_("The letter cannot be signed in the future."), "letter_signed_on")
    if move.occurred_on and letter.signed_on > move.occurred_on:
        message = _("The letter must be signed on or before the date of the change.")
        raise UserError(message, "letter_signed_on")


def record_interest_letter(
    engagement: Engagement, letter: LetterInput, move: Move, user_id: int | None, today: date
) -> Letter:
    """Create the signed letter of interest of the engagement's company and programme."""
    check_letter(letter, move, today)
    check_signatory(engagement.organisation_id, letter.signatory_id)
    row = Letter(
        kind="interest",
        status="signed",
        organisation_id=engagement.organisation_id,
        programme_id=engagement.programme_id,
        signed_on=letter.signed_on,
        received_on=letter.signed_on,
        signatory_id=letter.signatory_id,
        requested_by_id=user_id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def needs_letter(engagement: Engagement, to_stage: str | None) -> bool:
    """Return whether moving to this stage needs a letter of interest the company lacks."""
    return to_stage == "loi_signed" and not services.has_signed_interest_letter(
        engagement.organisation_id, engagement.programme_id
    )


def move_with_evidence(
    engagement: Engagement,
    move: Move,
    letter: LetterInput | None,
    user_id: int | None,
    today: date,
    expected_version: int | None = None,
) -> StageTransition:
    """Check the version, record the letter when asked and missing, then move; the caller commits."""
    if expected_version is not None and expected_version != engagement.version_id:
        raise StaleEditError()
    if letter is not None and needs_letter(engagement, move.to_stage):
        record_interest_letter(engagement, letter, move, user_id, today)
    return services.move(engagement, move, user_id, today, expected_version)

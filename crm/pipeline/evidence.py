"""The evidence behind the letter-of-interest gate: scans still to come, and letters that cannot go.

A signed letter of interest covers an engagement when it is from the same company and names the
engagement's programme or no programme (crm.pipeline.services.has_signed_interest_letter). Paper
letters arrive late, so a signed letter without its scan still opens the gate; the engagement is then
"evidence pending" until a covering signed letter has its scan. Everything here is SQL (EXISTS over
letters correlated with the engagement), so lists mark their rows without a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.models import STAGES, Engagement, Letter
from crm.models.pipeline import PAST_GATE  # the stages a signed letter of interest opens

BEFORE_GATE = STAGES[STAGES.index("loi_signed") - 1]  # where an engagement goes back to without one


def covering(engagement: Any = Engagement, letter: Any = Letter) -> Any:
    """Match the signed letters of interest that satisfy the gate of the (correlated) engagement."""
    return and_(
        letter.organisation_id == engagement.organisation_id,
        letter.kind == "interest",
        letter.status == "signed",
        or_(letter.programme_id == engagement.programme_id, letter.programme_id.is_(None)),
    )


def unscanned_clause(engagement: Any = Engagement) -> Any:
    """Match engagements, whatever their stage, whose covering signed letters of interest all lack a scan."""
    # Aliases: a query that also selects letters must not correlate these subqueries with its own.
    unscanned, scanned = aliased(Letter), aliased(Letter)
    return and_(
        exists().where(covering(engagement, unscanned), unscanned.document_id.is_(None)),
        ~exists().where(covering(engagement, scanned), scanned.document_id.is_not(None)),
    )


def pending_clause(engagement: Any = Engagement) -> Any:
    """Match engagements past the gate whose signed letter of interest has no scan yet."""
    return and_(engagement.stage.in_(PAST_GATE), unscanned_clause(engagement))


def unscanned_letter_id(engagement: Any = Engagement) -> Any:
    """Return a scalar subquery: the oldest unscanned signed letter covering the engagement."""
    letter = aliased(Letter)
    query = select(func.min(letter.id)).where(covering(engagement, letter), letter.document_id.is_(None))
    return query.scalar_subquery()


# --- letters that cannot go ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterState:
    """What a letter says that matters to the gate: its kind, status and programme."""

    kind: str
    status: str
    programme_id: int | None

    def covers(self, programme_id: int) -> bool:
        """Return whether a letter in this state opens the gate of an engagement in the programme."""
        signed = self.kind == "interest" and self.status == "signed"
        return signed and self.programme_id in (None, programme_id)


def relying_on(letter: Letter) -> list[Engagement]:
    """Return the engagements past the gate whose only covering signed letter is this one."""
    before = LetterState(letter.kind, letter.status, letter.programme_id)
    if before.kind != "interest" or before.status != "signed":
        return []
    others = exists().where(covering(), Letter.id != letter.id)
    query = select(Engagement).where(
        Engagement.organisation_id == letter.organisation_id, Engagement.stage.in_(PAST_GATE), ~others
    )
    if letter.programme_id is not None:
        query = query.where(Engagement.programme_id == letter.programme_id)
    return list(db.session.scalars(query.order_by(Engagement.id)))


def stranded(letter: Letter, after: LetterState | None) -> list[Engagement]:
    """Return the engagements the change (None: deletion) would leave past a gate that no longer holds."""
    with db.session.no_autoflush:
        found = relying_on(letter)
    return [e for e in found if after is None or not after.covers(e.programme_id)]

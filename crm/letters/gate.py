"""A signed letter of interest that alone lets an engagement be past the gate cannot go unnoticed.

Deleting it, or changing it so it no longer counts (withdrawn, expired, another kind or programme),
would leave the company at a stage whose gate no longer holds. The change is refused with what to do
instead; or the user moves those engagements back to the stage before the gate, with a note, and
deletes the letter in the same request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from crm.errors import UserError
from crm.labels import label
from crm.models import Engagement, Letter
from crm.pipeline import evidence
from crm.pipeline import services as pipeline
from crm.pipeline.evidence import BEFORE_GATE, LetterState
from crm.web import locale

# The letter fields whose change can withdraw the evidence, in the order the form shows them.
GATE_FIELDS = ("kind", "status", "programme_id")


def where(engagements: list[Engagement]) -> str:
    """Name the engagements' programmes and stages for a message, e.g. "ZIS (Assessed)"."""
    language = locale()
    return ", ".join(f"{e.programme.name(language)} ({label('stage', e.stage)})" for e in engagements)


def refusal(letter: Letter, engagements: list[Engagement]) -> str:
    """Return the message that says why the letter must stay and what to do first."""
    return _(
        "%(company)s is past the letter-of-interest stage in %(where)s only because of this signed letter. "
        "Move the engagement back to an earlier stage first (with a note), then delete or change the letter.",
        company=letter.organisation.legal_name,
        where=where(engagements),
    )


def changed_field(letter: Letter, columns: dict[str, Any]) -> str:
    """Return the first gate field the edit changes (the field the refusal is shown on)."""
    return next((f for f in GATE_FIELDS if columns[f] != getattr(letter, f)), "status")


def check_edit(letter: Letter, columns: dict[str, Any]) -> None:
    """Refuse an edit that would leave an engagement past the gate without its signed letter."""
    after = LetterState(columns["kind"], columns["status"], columns["programme_id"])
    stranded = evidence.stranded(letter, after)
    if stranded:
        raise UserError(refusal(letter, stranded), changed_field(letter, columns))


def check_delete(letter: Letter) -> None:
    """Refuse to delete the only signed letter of interest of an engagement past the gate."""
    stranded = evidence.stranded(letter, None)
    if stranded:
        raise UserError(refusal(letter, stranded))


def relying(letter: Letter) -> list[Engagement]:
    """Return the engagements that deleting the letter would leave past a gate that no longer holds."""
    return evidence.stranded(letter, None)


def move_back(letter: Letter, note: str | None, user_id: int | None, today: date) -> int:
    """Move every engagement relying on the letter to the stage before the gate; return how many."""
    found = relying(letter)
    for engagement in found:
        move_one_back(engagement, note, user_id, today)
    return len(found)


def move_one_back(engagement: Engagement, note: str | None, user_id: int | None, today: date) -> None:
    """Move the engagement to the stage before the gate, with the pipeline's own rules (a note).

    A StaleEditError (someone moved it meanwhile) goes to the caller, which discards the work before
    saying so (moved_meanwhile): after a failed flush not even the user's language can be read.
    """
    try:
        pipeline.move(engagement, pipeline.Move(BEFORE_GATE, today, note), user_id, today)
    except UserError as exc:
        raise UserError(exc.message, "note") from None


def moved_meanwhile() -> str:
    """Return what to say when an engagement to move back was moved by someone else meanwhile."""
    return _("Someone moved the engagement meanwhile. Reload the page and try again.")

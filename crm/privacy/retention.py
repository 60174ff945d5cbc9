"""Retention (Ley 29733): old interactions and captured e-mails lose their texts and participants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, update

from crm.extensions import db
from crm.models import EmailMessage, Interaction
from crm.models.interaction import interaction_contacts


@dataclass
class RetentionResult:
    """What one run anonymised."""

    interactions: int
    emails: int


def cutoff_date(today: date, years: int) -> date:
    """Return the first day still kept when records older than `years` years are anonymised."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def anonymise_older_than(cutoff: date, stamp: datetime) -> RetentionResult:
    """Clear the texts and participants of interactions and captured e-mails before `cutoff`; flush only."""
    ids = list(
        db.session.scalars(
            select(Interaction.id).where(
                Interaction.occurred_on < cutoff, Interaction.anonymised_at.is_(None)
            )
        )
    )
    if ids:
        db.session.execute(delete(interaction_contacts).where(interaction_contacts.c.interaction_id.in_(ids)))
        db.session.execute(
            update(Interaction)
            .where(Interaction.id.in_(ids))
            .values(summary="", outcome=None, next_step=None, anonymised_at=stamp)
            .execution_options(synchronize_session=False)
        )
    emails = _anonymise_emails(datetime.combine(cutoff, datetime.min.time(), tzinfo=stamp.tzinfo))
    db.session.flush()
    return RetentionResult(interactions=len(ids), emails=emails)


def _anonymise_emails(before: datetime) -> int:
    """Drop the bodies, excerpts, senders and participants of captured e-mails sent before `before`."""
    ids = list(
        db.session.scalars(
            select(EmailMessage.id)
            .where(EmailMessage.sent_at < before, EmailMessage.body_text != "")
            .union(
                select(EmailMessage.id).where(EmailMessage.sent_at < before, EmailMessage.from_address != "")
            )
        )
    )
    if ids:
        db.session.execute(
            update(EmailMessage)
            .where(EmailMessage.id.in_(ids))
            .values(body_text="", excerpt="", from_address="", from_name="", participants=[], attachments=[])
            .execution_options(synchronize_session=False)
        )
    return len(ids)


__all__ = ["RetentionResult", "anonymise_older_than", "cutoff_date"]

"""Fixtures for the interaction tests."""

from __future__ import annotations

import pytest

from crm.extensions import db


@pytest.fixture
def make_interaction():
    """Create an interaction (and optionally a follow-up) directly with the models."""
    from datetime import date, timedelta

    from crm.clock import today
    from crm.models import FollowUp, Interaction

    def factory(
        org, staff, summary: str = "Reunión inicial", contacts=(), due_in: int | None = None, **fields
    ):
        interaction = Interaction(
            organisation_id=org.id,
            kind=fields.pop("kind", "meeting"),
            occurred_on=fields.pop("occurred_on", date(2024, 3, 1)),
            staff_id=staff.id,
            summary=summary,
            **fields,
        )
        interaction.contacts = list(contacts)
        db.session.add(interaction)
        if due_in is not None:
            follow_up = FollowUp(
                organisation_id=org.id,
                interaction=interaction,
                assignee_id=staff.id,
                due_on=today() + timedelta(days=due_in),
                description=f"Tarea de {summary}",
            )
            db.session.add(follow_up)
        db.session.commit()
        return interaction

    return factory

"""Fixtures of the API tests: a small world, and bearer tokens for its users."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.api import tokens
from crm.extensions import db
from crm.models import (
    Attendance,
    EmissionProfile,
    Engagement,
    Event,
    FollowUp,
    Interaction,
    Letter,
    Materialisation,
    Programme,
    StageTransition,
)


@pytest.fixture
def bearer():
    """Return headers with a fresh token of the user: bearer(user, read_only=False)."""

    def factory(user, read_only: bool = False, days: int | None = 30) -> dict[str, str]:
        _token, secret = tokens.create_token(user, "test", days, read_only)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return factory


@pytest.fixture
def api_world(liaison_world, en_user):
    """The liaison world plus staff, viewer and manager, a profile, an engagement, letters, an event."""
    w = liaison_world
    w.staff, w.viewer, w.manager = en_user("staff"), en_user("viewer"), en_user("manager")
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    w.programme = programme
    db.session.add(EmissionProfile(organisation_id=w.member.id, electricity_mwh_year=Decimal("120.50")))
    w.engagement = Engagement(
        organisation_id=w.member.id,
        programme_id=programme.id,
        stage="contacted",
        stage_since=date(2026, 1, 5),
    )
    db.session.add(w.engagement)
    db.session.flush()
    db.session.add(
        StageTransition(
            engagement_id=w.engagement.id,
            to_stage="contacted",
            occurred_on=date(2026, 1, 5),
            by_id=w.staff.id,
        )
    )
    w.interaction = Interaction(
        organisation_id=w.member.id,
        kind="call",
        occurred_on=date(2026, 1, 6),
        staff_id=w.staff.id,
        summary="Llamada inicial",
    )
    w.outsider_interaction = Interaction(
        organisation_id=w.outsider.id,
        kind="call",
        occurred_on=date(2026, 1, 7),
        staff_id=w.staff.id,
        summary="Otra llamada",
    )
    db.session.add_all([w.interaction, w.outsider_interaction])
    db.session.flush()
    db.session.add(
        FollowUp(
            organisation_id=w.member.id,
            interaction_id=w.interaction.id,
            assignee_id=w.staff.id,
            due_on=date(2026, 2, 1),
            description="Enviar propuesta",
        )
    )
    w.letter = Letter(
        kind="cofinance",
        organisation_id=w.member.id,
        status="signed",
        signed_on=date(2026, 1, 10),
        amount=Decimal("1000.00"),
        currency="USD",
        amount_usd=Decimal("1000.00"),
        cofinance_type="equity",
        cofinancier_type="private",
    )
    db.session.add(w.letter)
    db.session.flush()
    db.session.add(
        Materialisation(
            letter=w.letter,
            occurred_on=date(2026, 1, 20),
            amount=Decimal("250.00"),
            amount_usd=Decimal("250.00"),
        )
    )
    w.event = Event(title="Taller de eficiencia", type="training", held_on=date(2026, 1, 15))
    db.session.add(w.event)
    db.session.flush()
    db.session.add(Attendance(event_id=w.event.id, contact_id=w.member_contact.id))
    db.session.commit()
    return w


def ids(response) -> set[int]:
    """Return the ids of a list answer's items."""
    return {item["id"] for item in response.get_json()["items"]}


@pytest.fixture
def api_ids():
    """Return the ids-of-a-list helper."""
    return ids

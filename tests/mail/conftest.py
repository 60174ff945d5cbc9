"""Fixtures for the e-mail tests: the app pointed at the real SMTP test server, burst workers, a scene."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.clock import today
from crm.extensions import db
from crm.jobs import QUEUES
from crm.models import (
    Engagement,
    FollowUp,
    Interaction,
    Letter,
    Materialisation,
    Programme,
    StageTransition,
)
from crm.redis_conn import get_redis
from workers.worker import run_worker

SMTP_KEYS = ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_SSL", "SMTP_USER", "MAIL_RETRY_INTERVALS")


@pytest.fixture
def mail_server(app, smtp_server):
    """Send the app's e-mail to the aiosmtpd test server for one test."""
    saved = {key: app.config[key] for key in SMTP_KEYS}
    app.config.update(
        SMTP_HOST=smtp_server.host,
        SMTP_PORT=smtp_server.port,
        SMTP_STARTTLS=False,
        SMTP_SSL=False,
        SMTP_USER=None,
    )
    yield smtp_server
    app.config.update(saved)


@pytest.fixture
def work(app):
    """Run a real RQ worker in burst mode (jobs run in forked children, in app context)."""

    def run(*queues: str) -> None:
        """Work through the queues until they are empty."""
        run_worker(app, get_redis(app), queues or QUEUES, burst=True)

    return run


@pytest.fixture
def programme():
    """Return the first programme of the reference data."""
    return db.session.scalars(select(Programme).order_by(Programme.id)).first()


@pytest.fixture
def build(programme):
    """Helpers that create follow-ups, interactions, engagements and letters relative to a day."""

    def follow_up(user, org, due_in: int, text: str, done: bool = False) -> FollowUp:
        """Create a follow-up due some days from today."""
        item = FollowUp(
            organisation_id=org.id,
            assignee_id=user.id,
            due_on=today() + timedelta(days=due_in),
            description=text,
        )
        if done:
            from crm.models import utcnow

            item.done_at = utcnow()
        db.session.add(item)
        db.session.commit()
        return item

    def interaction(user, org, days_ago: int) -> Interaction:
        """Create a call some days ago."""
        item = Interaction(
            organisation_id=org.id,
            kind="call",
            occurred_on=today() - timedelta(days=days_ago),
            staff_id=user.id,
            summary="Llamada",
        )
        db.session.add(item)
        db.session.commit()
        return item

    def engage(org, *stages: str, on: date | None = None) -> Engagement:
        """Create an engagement that went through the stages on one day."""
        day = on or today() - timedelta(days=100)
        engagement = Engagement(
            organisation_id=org.id, programme_id=programme.id, stage=stages[-1], stage_since=day
        )
        db.session.add(engagement)
        previous = None
        for stage in stages:
            db.session.add(
                StageTransition(engagement=engagement, from_stage=previous, to_stage=stage, occurred_on=day)
            )
            previous = stage
        db.session.commit()
        return engagement

    def letter(org, kind: str, status: str, requested_by=None, **fields) -> Letter:
        """Create a letter."""
        item = Letter(
            organisation_id=org.id,
            kind=kind,
            status=status,
            requested_by_id=getattr(requested_by, "id", None),
            **fields,
        )
        db.session.add(item)
        db.session.commit()
        return item

    def materialise(letter: Letter, amount: str, days_ago: int) -> Materialisation:
        """Record an amount materialised some days ago."""
        item = Materialisation(
            letter=letter,
            occurred_on=today() - timedelta(days=days_ago),
            amount=Decimal(amount),
            amount_usd=Decimal(amount),
        )
        db.session.add(item)
        db.session.commit()
        return item

    return SimpleNamespace(
        follow_up=follow_up, interaction=interaction, engage=engage, letter=letter, materialise=materialise
    )

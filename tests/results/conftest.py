"""A company, a staff member, the first programme and measure: enough for the hand-worked results tests."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Measure, Programme
from crm.results import services
from crm.results.services import ResultValues


@pytest.fixture
def world(make_user, make_org) -> SimpleNamespace:
    """Return staff, manager, admin, a company, a programme and two measures."""
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    measures = {m.code: m for m in db.session.scalars(select(Measure))}
    return SimpleNamespace(
        staff=make_user("staff"),
        manager=make_user("manager"),
        admin=make_user("admin"),
        company=make_org("Fundición Chutana SAC"),
        programme=programme,
        furnace=measures["furnace_replacement"],
        lighting=measures["lighting"],
    )


@pytest.fixture
def record(world):
    """Record a result for the world's company through the service, committed."""

    def do(status: str = "estimated", measure=None, day: date = date(2026, 3, 1), **amounts) -> int:
        values = ResultValues(
            programme_id=world.programme.id,
            measure_id=(measure or world.furnace).id,
            status=status,
            occurred_on=day,
            expected={k[2:]: Decimal(v) for k, v in amounts.items() if k.startswith("e_")},
            achieved={k[2:]: Decimal(v) for k, v in amounts.items() if k.startswith("a_")},
        )
        user = world.manager
        if status == "verified":  # a verified result needs its evidence: give it one already stored
            values.status = "reported"
            result = services.save_result(user, world.company, None, values)
            result.evidence_id = stored_document(user.id)
            values.status = "verified"
            services.save_result(user, world.company, result, values)
        else:
            result = services.save_result(user, world.company, None, values)
        db.session.commit()
        return result.id

    return do


def stored_document(user_id: int) -> int:
    """Add a document row (no file needed for the arithmetic tests) and return its id."""
    from crm.models import Document

    document = Document(
        storage_name=secrets.token_hex(16),
        original_name="verificacion.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by_id=user_id,
    )
    db.session.add(document)
    db.session.flush()
    return document.id

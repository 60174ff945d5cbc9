"""Users of every role, two companies engaged in a programme and people to register as consultants."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Engagement, Programme, liaison_associations


@pytest.fixture
def world(make_user, make_org, make_contact, app, tmp_path, monkeypatch) -> SimpleNamespace:
    """Return the users, a company with an engagement, another company with one, and two people."""
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    company, other = make_org("Fundición Chutana SAC"), make_org("Textil Lurín SAC")
    engagements = [
        Engagement(organisation_id=org.id, programme_id=programme.id, stage="technical_assistance",
                   stage_since=date(2026, 1, 10))
        for org in (company, other)
    ]  # fmt: skip
    db.session.add_all(engagements)
    db.session.commit()
    association = make_org("Gremio Metalúrgico", kind="association")
    liaison = make_user("liaison")  # Spanish, as every user of this world
    link = {"user_id": liaison.id, "organisation_id": association.id}
    db.session.execute(liaison_associations.insert().values(**link))
    db.session.commit()
    return SimpleNamespace(
        staff=make_user("staff"),
        admin=make_user("admin"),
        viewer=make_user("viewer"),
        liaison=liaison,
        company=company,
        other=other,
        engagement=engagements[0],
        other_engagement=engagements[1],
        programme=programme,
        rosa=make_contact(None, "Rosa", "Quispe", email="rosa@consultora.pe"),
        jorge=make_contact(company, "Jorge", "Huamán"),
    )

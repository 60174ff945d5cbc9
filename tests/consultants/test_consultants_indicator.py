"""The indicator counts consultants qualified as of the report's date; the migration fills the registry."""

from __future__ import annotations

from datetime import date, timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from crm import clock
from crm.consultants import services
from crm.extensions import db
from crm.models import Consultant, Contact
from crm.reports import indicators


def test_the_indicator_as_of_dates_before_and_after_qualification(world):
    consultant = Consultant(contact_id=world.rosa.id, specialisms="recp", status="candidate",
                            candidate_on=date(2025, 1, 1))  # fmt: skip
    db.session.add(consultant)
    db.session.flush()
    assert indicators.consultants(None) == 0
    qualified_on = clock.today() - timedelta(days=30)
    services.change_status(consultant, "qualified", qualified_on)
    db.session.commit()
    assert indicators.consultants(None) == 1
    assert indicators.consultants(qualified_on - timedelta(days=1)) == 0
    assert indicators.consultants(qualified_on) == 1
    services.change_status(consultant, "withdrawn", clock.today() - timedelta(days=5))
    assert indicators.consultants(None) == 0
    assert indicators.consultants(clock.today() - timedelta(days=10)) == 1  # still qualified then
    assert indicators.consultants(clock.today()) == 0


def test_the_migration_turns_the_flag_into_qualified_entries(app, world):
    db.session.commit()
    downgrade(revision="0022_saved_views")
    db.session.add(Contact(first_name="Luz", last_name="Flores", qualified_consultant=True))
    db.session.add(Contact(first_name="Eva", last_name="Sin Bandera"))
    db.session.commit()
    upgrade()
    entries = db.session.scalars(select(Consultant)).all()
    assert [(e.contact.full_name, e.status, e.qualified_on, e.published) for e in entries] == [
        ("Luz Flores", "qualified", None, False)
    ]
    assert indicators.consultants(date(2000, 1, 1)) == 1  # an unknown qualification date counts

"""The demo's industrial parks with tenants, its clean production agreements, and trainings' modules."""

from __future__ import annotations

from sqlalchemy import func, select

from crm.clock import today
from crm.demo.parks_seed import seed_parks_and_agreements
from crm.extensions import db
from crm.models import Agreement, AgreementParty, Event, Organisation, ParkTenant


def test_demo_has_parks_with_tenants_apls_and_trainings_with_modules(seeded):
    parks = db.session.scalars(select(Organisation.legal_name).where(Organisation.kind == "park")).all()
    assert sorted(parks) == ["Indupark", "La Chutana", "Sector 62"]
    tenants = db.session.execute(select(ParkTenant.park_id, func.count()).group_by(ParkTenant.park_id)).all()
    assert len(tenants) == 3 and all(n > 0 for _, n in tenants)
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 2
    roles = set(db.session.scalars(select(AgreementParty.role)))
    assert roles == {"promoter", "signatory", "adherent"}
    trainings = db.session.scalars(select(Event).where(Event.type == "training")).unique().all()
    assert trainings and all(e.training_module_id is not None for e in trainings)
    assert seeded["parks_and_agreements"] > 3 and seed_parks_and_agreements(today()) == 0

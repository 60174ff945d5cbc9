"""The demo data shows the registry: every flagged consultant registered, some published, one assignment."""

from __future__ import annotations

from sqlalchemy import func, select

from crm.demo.services import seed_demo
from crm.extensions import db
from crm.models import SPECIALISMS, Consultant, ConsultantAssignment, Contact
from crm.reports import indicators


def test_the_demo_registry(app):
    counts = seed_demo()
    db.session.commit()
    flagged = db.session.scalar(select(func.count()).where(Contact.qualified_consultant.is_(True)))
    entries = db.session.scalars(select(Consultant)).all()
    assert counts["consultants"] == len(entries) == flagged > 30
    assert {e.status for e in entries} == {"qualified"} and indicators.consultants(None) == flagged
    assert 0 < sum(e.published for e in entries) < len(entries)
    assert {code for e in entries for code in e.specialism_list} == set(SPECIALISMS)
    assert any(e.qualified_on is None for e in entries) and any(e.qualified_on for e in entries)
    assert db.session.scalar(select(func.count()).select_from(ConsultantAssignment)) == 1
    assert seed_demo()["consultants"] == 0  # a second run adds nothing

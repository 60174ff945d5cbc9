"""Pages changed by the integrity work fit a phone's width: wide tables scroll inside their own box."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import EmissionProfile, Membership
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def company(make_org, make_user):
    """A company with a profile and a membership waiting for confirmation."""
    owner = make_user("staff", name="Renzo Castillo Tello")
    org = make_org("Terminal de Carga San Lorenzo S.A.C.", ruc="20419309983", owner_id=owner.id)
    association = make_org("Sociedad Nacional de Industrias", kind="association")
    db.session.add(EmissionProfile(organisation_id=org.id, emits_upops=True, electricity_mwh_year=Decimal(9)))
    db.session.add(Membership(company_id=org.id, association_id=association.id, status="active",
                              confirmation="pending"))  # fmt: skip
    db.session.commit()
    return org


def page_width(page, path: str) -> int:
    """Open a page and return the document's width."""
    response = page.goto(path)
    assert response.status == 200, path
    return page.evaluate("document.documentElement.scrollWidth")


def test_changed_pages_are_never_wider_than_a_phone(page, make_user, company):
    admin = make_user("admin", email="admin@pmu.pe")
    page.set_viewport_size(PHONE)
    sign_in(page, admin.email, PASSWORD)
    for path in (f"/organisations/{company.id}", "/reports/funnel", "/system/", "/portal/pending", "/"):
        assert page_width(page, path) <= PHONE["width"], path

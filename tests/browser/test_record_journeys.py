"""Journeys of issue 13 in a real browser: global search, and a manager restoring a field from the history."""

from __future__ import annotations

from playwright.sync_api import expect

from crm.extensions import db
from crm.models import ChangeLog, Organisation
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD


def test_staff_search_finds_a_company_and_a_contact_without_accents(page, make_user, make_org, make_contact):
    make_user("staff", email="sara.busca@pmu.pe", name="Sara Busca")
    org = make_org("Fundición Pachacámac S.A.C.", ruc="20100047218")
    make_contact(org, "Íñigo", "Muñoz", email="imunoz@pachacamac.pe")
    sign_in(page, "sara.busca@pmu.pe", PASSWORD)
    page.goto(f"/search/?q={'pachacamac'}")
    expect(page.locator("#organisations")).to_contain_text("Fundición Pachacámac S.A.C.")
    expect(page.locator("#contacts")).to_contain_text("Íñigo Muñoz")
    page.locator("#organisations a", has_text="Fundición Pachacámac").click()
    page.wait_for_url(f"**/organisations/{org.id}")
    expect(page.locator("h1")).to_contain_text("Fundición Pachacámac")


def test_manager_restores_a_field_from_the_history(page, make_user, make_org):
    make_user("manager", email="marta.gerente@pmu.pe", name="Marta Gerente")
    org = make_org("Fundición Callao SAC")
    org.trade_name = "Nombre equivocado"
    db.session.commit()
    sign_in(page, "marta.gerente@pmu.pe", PASSWORD)
    page.goto(f"/organisations/{org.id}#history")
    history = page.locator("#history")
    expect(history).to_contain_text("Nombre comercial")  # a label in Spanish, not trade_name
    page.once("dialog", lambda dialog: dialog.accept())
    history.locator("form:has(input[value=trade_name]) button").first.click()
    expect(page.locator(".flash")).to_contain_text("volvió a su valor anterior")
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).trade_name is None
    last = db.session.query(ChangeLog).order_by(ChangeLog.id.desc()).first()
    assert last.changes == {"trade_name": ["Nombre equivocado", None]}

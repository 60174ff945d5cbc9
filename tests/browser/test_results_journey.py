"""Journey of issue 15 in a real browser: a manager records a verified result with its evidence, and the
GEF indicator of the results framework and the gap-to-target page change.

1,000 MWh of electricity a year saved × 0.2 tCO2eq/MWh (the seeded grid factor, version 1) = 200 tCO2eq.
"""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import AccessLog, MeasureResult, Programme
from crm.models.organisation import EmissionProfile
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def gef6_verified(page) -> str:
    """Return the verified GEF 6 figure of the gap page, without the locale's separators."""
    page.goto("/results/gap")
    row = page.locator("#targets tbody tr", has_text="GEF-6").first  # GEF-6 comes before GEF-6.3
    text = row.locator("td.gef-verified").inner_text()
    return re.sub(r"[^\d]", "", text)


def test_manager_records_a_verified_result_and_the_indicator_and_gap_page_change(
    page, live_server, make_user, make_org, tmp_path
):
    manager = make_user("manager", email="marta.manager@pmu.pe", name="Marta Manager")
    company = make_org("Fundición Resultados SAC")
    prospect = make_org("Acería Potencial SAC")
    db.session.add(EmissionProfile(organisation_id=prospect.id, reduction_potential_tco2e=Decimal(7000)))
    db.session.commit()
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    evidence = tmp_path / "verificacion.pdf"
    evidence.write_bytes(PDF)

    sign_in(page, manager.email, PASSWORD)
    assert gef6_verified(page) == "0"
    expect(page.locator("#prospects")).to_contain_text("Acería Potencial SAC")

    page.goto(f"/organisations/{company.id}")
    page.locator("#results").get_by_role("link", name="Registrar un resultado").click()
    page.wait_for_url(f"**/results/organisations/{company.id}/new")
    page.select_option("#programme_id", str(programme.id))
    page.select_option("#status", "verified")
    page.fill("#occurred_on", "2026-05-20")
    page.fill("#expected_electricity", "1200")
    page.fill("#achieved_electricity", "1000")
    page.set_input_files("#evidence", str(evidence))
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_url(f"**/results/organisations/{company.id}")
    expect(page.locator(".flash")).to_contain_text("Se guardó el resultado")
    expect(page.locator("#measures")).to_contain_text("Verificado")

    assert gef6_verified(page) == "200"
    page.goto("/reports/indicators")
    row = page.locator("tr", has_text="GEF-6").first
    expect(row).to_contain_text("200")
    result = db.session.scalars(select(MeasureResult)).one()
    assert result.status == "verified" and result.verified_by_id == manager.id and result.evidence_id
    reads = db.session.scalars(select(AccessLog.organisation_id).where(AccessLog.what == "emission_results"))
    assert company.id in set(reads)

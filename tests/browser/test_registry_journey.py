"""Journey of the consultants registry in a real browser: a manager registers a contact as a consultant with
specialisms and qualification evidence, qualifies them, assigns them to a company's engagement, and then
sees them on the company's page and the qualified-consultants indicator (2.1.4) count them.
"""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from crm import clock
from crm.extensions import db
from crm.models import Consultant, ConsultantAssignment, Engagement, Programme
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
VALUE = 4  # the value column of the indicators table: code, indicator, unit, target, value


def qualified_consultants(page) -> str:
    """Return the live value of indicator 2.1.4 on the indicators page."""
    page.goto("/reports/indicators")
    return page.locator("tr", has_text="2.1.4").first.locator("td").nth(VALUE).inner_text().strip()


def test_manager_registers_qualifies_and_assigns_a_consultant_and_the_company_and_indicator_show_it(
    page, live_server, make_user, make_org, make_contact, tmp_path
):
    manager = make_user("manager", email="maria.registro@pmu.pe", name="María Registro")
    company = make_org("Curtiembre Asesorada SAC")
    rosa = make_contact(None, "Rosa", "Huamán Quispe", email="rosa.huaman@consultores.pe")
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    engagement = Engagement(
        organisation_id=company.id, programme_id=programme.id, stage="assessed", stage_since=clock.today()
    )
    db.session.add(engagement)
    db.session.commit()
    evidence = tmp_path / "certificado-rosa.pdf"
    evidence.write_bytes(PDF)
    day = (clock.today() - timedelta(days=3)).isoformat()

    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, manager.email, PASSWORD)
    assert qualified_consultants(page) == "0"

    # Register the contact with two specialisms and the qualification evidence.
    page.goto("/consultants/new")
    page.select_option("#contact_id", str(rosa.id))
    page.check("input[name=specialisms][value=recp]")
    page.check("input[name=specialisms][value=chemicals]")
    page.set_input_files("#evidence", str(evidence))
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator(".flash")).to_contain_text("Consultor guardado")
    expect(page.locator("h1")).to_contain_text("Candidato")
    expect(page.locator("dl.props")).to_contain_text("certificado-rosa.pdf")

    # Qualified three days ago.
    status_form = page.locator("form[action$='/status']")
    status_form.locator("select[name=status]").select_option("qualified")
    status_form.locator("input[name=on]").fill(day)
    status_form.get_by_role("button", name="Cambiar estado").click()
    expect(page.locator(".flash")).to_contain_text("Estado cambiado")
    expect(page.locator("h1")).to_contain_text("Calificado")

    # Assigned to the company's engagement, from the consultant's page.
    assign_form = page.locator("form[action$='/assign']")
    assign_form.locator("select[name=engagement_id]").select_option(str(engagement.id))
    assign_form.locator("input[name=role]").fill("Auditora energética")
    assign_form.locator("input[name=started_on]").fill(day)
    assign_form.get_by_role("button", name="Asignar").click()
    expect(page.locator(".flash")).to_contain_text("Consultor asignado")
    expect(page.locator("#assignments table")).to_contain_text("Curtiembre Asesorada SAC")

    page.goto(f"/organisations/{company.id}")
    section = page.locator("#consultants table")  # the table: the assignment form names everyone
    expect(section).to_contain_text("Rosa Huamán Quispe")
    expect(section).to_contain_text("Auditora energética")
    assert qualified_consultants(page) == "1"

    consultant = db.session.scalars(select(Consultant).where(Consultant.contact_id == rosa.id)).one()
    assert consultant.status == "qualified" and consultant.evidence_id is not None
    assert consultant.specialism_list == ["recp", "chemicals"]
    assignment = db.session.scalars(select(ConsultantAssignment)).one()
    assert (assignment.consultant_id, assignment.engagement_id) == (consultant.id, engagement.id)

"""The browser can sign in, in Spanish, and find a company."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD


def test_staff_signs_in_in_spanish_and_finds_a_company(page, live_server, make_user, make_org):
    staff = make_user("staff", email="ana@pmu.pe")
    make_org("Fundición Callao S.A.C.", ruc="20100070970")
    sign_in(page, staff.email, PASSWORD)
    assert page.locator("html").get_attribute("lang") == "es-PE"
    page.goto("/organisations/?q=fundicion")
    page.get_by_role("link", name="Fundición Callao S.A.C.").click()
    assert "Fundición Callao S.A.C." in page.locator("h1").inner_text()

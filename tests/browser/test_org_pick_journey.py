"""Choosing a contact's organisation by typing part of its name, in a real browser, in Spanish.

With the script (static/js/orgpick.js) the search box suggests the matches as the user types; the arrow
keys and Enter choose one, which becomes the checked radio button the form posts. The page never lists
every organisation, and nothing sticks out of the window on a desktop or a phone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.models import Contact
from tests.browser.conftest import sign_in
from tests.browser.test_browser_journeys import fresh
from tests.browser.test_daily_journeys import fits
from tests.browser.test_layout_fits import SIZES
from tests.conftest import PASSWORD


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_types_part_of_a_name_picks_the_suggestion_and_saves_the_contact(
    page, size, make_user, make_org
):
    staff = make_user("staff", email=f"rosa.elige.{size}@pmu.pe", name="Rosa Elige")
    make_org("Fundición Callao SAC")
    lurin = make_org("Fundición Lurín SAC", trade_name="FundiLurín")
    make_org("Textil Ventura SAC")
    page.set_viewport_size(SIZES[size])
    sign_in(page, staff.email, PASSWORD)

    page.goto("/contacts/new")
    expect(page.locator("main")).not_to_contain_text("Textil Ventura")  # no list of every organisation
    page.fill("#first_name", "Carla")
    page.fill("#last_name", "Quispe")
    box = page.locator("#organisation_id_q")
    box.press_sequentially("fundicion lu", delay=40)  # no accent, the second word cut short
    options = page.locator(".org-suggest").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Fundición Lurín SAC (FundiLurín)")
    fits(page)
    box.press("ArrowDown")
    box.press("Enter")  # chooses the suggestion; the form is not sent
    expect(page.get_by_role("radio", name=re.compile("Fundición Lurín SAC"))).to_be_checked()
    expect(box).to_have_value("")
    page.get_by_role("button", name="Guardar", exact=True).click()  # the hidden default one is not exposed
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    contact_id = int(page.url.rsplit("/", 1)[1])
    assert fresh(Contact, contact_id).organisation_id == lurin.id

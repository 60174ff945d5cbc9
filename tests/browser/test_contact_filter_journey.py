"""Filtering the contact list by organisation in a real browser, in Spanish: typed, suggested, chosen.

With the script (static/js/orgpick.js) the filter's search box suggests the matches in the user's scope as
they type; choosing one sends the filter form, and the list names the organisation it shows. Nothing sticks
out of the window on a desktop or a phone; the screenshots are kept in test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_daily_journeys import fits
from tests.browser.test_layout_fits import SIZES
from tests.conftest import PASSWORD


def unfold(page) -> None:
    """Open the filters when a phone folds them behind "Más filtros"."""
    toggle = page.locator(".filters-toggle")
    if toggle.count() and toggle.is_visible():
        toggle.click()


def choose_by_typing(page, typed: str, expected: str) -> None:
    """Type into the organisation filter, check the one suggestion and choose it with the keyboard."""
    box = page.locator("#organisation_q")
    box.press_sequentially(typed, delay=40)
    options = page.locator(".org-suggest").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text(expected)
    fits(page)
    box.press("ArrowDown")
    box.press("Enter")  # chooses, and choosing sends the filter form


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_filters_the_contacts_by_typing_part_of_a_name(page, size, make_user, make_org, make_contact):
    staff = make_user("staff", email=f"ines.filtra.{size}@pmu.pe", name="Inés Filtra")
    lurin = make_org("Fundición Lurín SAC", trade_name="FundiLurín")
    make_contact(lurin, "Carla", "Quispe", position="Jefa de energía")
    make_contact(make_org("Fundición Callao SAC"), "Pedro", "Rojas")
    make_contact(make_org("Textil Ventura SAC"), "Lucía", "Torres")
    page.set_viewport_size(SIZES[size])
    sign_in(page, staff.email, PASSWORD)

    page.goto("/contacts/?view=none")
    expect(page.locator(".org-pick")).not_to_contain_text("Textil Ventura SAC")  # not offered
    unfold(page)
    choose_by_typing(page, "fundicion lu", "Fundición Lurín SAC (FundiLurín)")
    page.wait_for_url(re.compile(rf"organisation={lurin.id}\b"))
    expect(page.locator(".org-filtered")).to_contain_text("Solo los contactos de Fundición Lurín SAC")
    expect(page.locator("table")).to_contain_text("Quispe")
    expect(page.locator("table")).not_to_contain_text("Rojas")
    fits(page)
    page.screenshot(path=str(ARTIFACTS / f"contact-filter-staff-{size}.png"), full_page=True)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_liaison_is_offered_only_their_members(page, size, liaison_world):
    w = liaison_world
    w.liaison.email, w.liaison.locale = f"liaison.filtra.{size}@pmu.pe", "es"
    db.session.commit()
    page.set_viewport_size(SIZES[size])
    sign_in(page, w.liaison.email, PASSWORD)

    page.goto(f"/contacts/?organisation={w.outsider.id}")
    expect(page.locator("main")).to_contain_text("Elija entre los resultados de la búsqueda")
    expect(page.locator("main")).not_to_contain_text("Textil Ajena")
    fits(page)
    page.screenshot(path=str(ARTIFACTS / f"contact-filter-liaison-refused-{size}.png"), full_page=True)
    page.goto("/contacts/?view=none")
    unfold(page)
    choose_by_typing(page, "fundicion", "Fundición Miembro SAC")
    page.wait_for_url(re.compile(rf"organisation={w.member.id}\b"))
    expect(page.locator("table")).to_contain_text("Miembro")
    fits(page)
    page.screenshot(path=str(ARTIFACTS / f"contact-filter-liaison-{size}.png"), full_page=True)


def test_a_phone_folds_each_lists_filters_behind_one_button_until_one_is_used(page, make_user):
    staff = make_user("staff", email="ines.telefono@pmu.pe", name="Inés Teléfono")
    page.set_viewport_size(SIZES["phone"])
    sign_in(page, staff.email, PASSWORD)
    for path in ("/contacts/?view=none", "/organisations/?view=none", "/letters/?view=none"):
        page.goto(path)
        fields = page.locator("form.filters > .field")
        expect(fields.first).to_be_visible()  # the search box stays
        expect(fields.nth(1)).to_be_hidden()
        expect(page.locator(".columns-picker")).to_be_hidden()  # its ticked boxes are no filter in use
        page.locator(".filters-toggle").click()
        expect(fields.nth(1)).to_be_visible()
        fits(page)
    page.goto("/contacts/?view=none&consultant=yes")  # a filter in use: the form stays open to show it
    expect(page.locator(".filters-toggle")).to_have_count(0)
    expect(page.locator("#consultant")).to_be_visible()

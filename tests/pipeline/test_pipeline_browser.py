"""In a real browser: drag a card to the next column (saved in place) or to an exit (opens the form)."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.pipeline.conftest import reload


def test_drag_and_drop_moves_a_card_and_exits_open_the_form(
    page, live_server, make_user, make_engagement, make_org
):
    staff = make_user("staff", email="drag@pmu.pe")
    engagement = make_engagement(make_org("Fundición Arrastre SAC"), stage="contacted")
    page.set_viewport_size({"width": 2000, "height": 1000})  # every column in view: no scrolling mid-drag
    sign_in(page, staff.email, PASSWORD)
    page.goto("/pipeline/")
    card = page.locator(f"#engagement-{engagement.id}")
    assert page.locator('[data-count="contacted"]').inner_text() == "1"

    card.drag_to(page.locator("#col-meeting_held"))
    page.locator("#col-meeting_held [data-cards] .deal").first.wait_for()
    assert page.locator('[data-count="meeting_held"]').inner_text() == "1"
    assert page.locator('[data-count="contacted"]').inner_text() == "0"
    assert "Fundición Arrastre SAC" in page.locator("#board-toast").inner_text()
    fresh = reload(engagement)
    assert fresh.stage == "meeting_held" and fresh.transitions[-1].by_id == staff.id

    page.locator(f"#engagement-{engagement.id}").drag_to(page.locator('[data-drop-stage="declined"]'))
    page.wait_for_url(lambda url: "/move?to_stage=declined" in url)
    assert page.locator("select#to_stage").input_value() == "declined"
    assert reload(engagement).stage == "meeting_held"


def test_board_works_without_javascript(browser, live_server, make_user, make_engagement):
    staff = make_user("staff", email="nojs@pmu.pe")
    engagement = make_engagement(stage="contacted")
    context = browser.new_context(locale="es-PE", base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    try:
        sign_in(tab, staff.email, PASSWORD)
        tab.goto("/pipeline/")
        tab.locator(f"#engagement-{engagement.id} a[data-move]").click()
        assert tab.locator("select#to_stage").input_value() == "meeting_held"  # the next stage
        tab.locator("form[method=post] button.primary").click()
        tab.wait_for_url("**/pipeline/**")
        assert reload(engagement).stage == "meeting_held"
        assert tab.locator('[data-count="meeting_held"]').inner_text() == "1"
    finally:
        context.close()

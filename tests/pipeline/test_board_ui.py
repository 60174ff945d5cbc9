"""The board in a browser: one shared move dialog, an undo toast, only real card drags, a phone, a list."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.pipeline.conftest import reload

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def open_board(page, make_user, email: str, viewport: dict, path: str = "/pipeline/") -> None:
    """Sign a staff member in and open the board at a window size."""
    staff = make_user("staff", email=email)
    page.set_viewport_size(viewport)
    sign_in(page, staff.email, PASSWORD)
    page.goto(path)


def test_the_shared_dialog_moves_a_card_and_the_toast_undoes_it(
    page, live_server, make_user, make_engagement, make_org
):
    engagement = make_engagement(make_org("Textil Deshacer SAC"), stage="contacted")
    open_board(page, make_user, "undo@pmu.pe", DESKTOP)
    assert page.locator("#board select").count() == 0  # no menu per card

    page.locator(f"#engagement-{engagement.id} a[data-move]").click()
    dialog = page.locator("#move-dialog")
    assert dialog.is_visible() and "Textil Deshacer SAC" in dialog.inner_text()
    assert dialog.locator("select").input_value() == "meeting_held"
    dialog.locator("button.primary").click()
    page.locator(f"#col-meeting_held #engagement-{engagement.id}").wait_for()
    toast = page.locator("#board-toast")
    assert "Textil Deshacer SAC" in toast.inner_text()
    assert reload(engagement).stage == "meeting_held"

    toast.locator("[data-undo]").click()
    page.locator(f"#col-contacted #engagement-{engagement.id}").wait_for()
    page.wait_for_function("document.querySelector('[data-count=\"contacted\"]').textContent === '1'")
    undone = reload(engagement)
    last = undone.transitions[-1]
    assert undone.stage == "contacted" and (last.from_stage, last.to_stage) == ("meeting_held", "contacted")
    assert last.note  # the undo says why it went back, as every backward move must


def test_only_a_drag_that_started_on_a_card_moves_that_card(
    page, live_server, make_user, make_engagement, make_org
):
    first = make_engagement(make_org("Arrastrada Antes SAC"), stage="contacted")
    open_board(page, make_user, "stale@pmu.pe", {"width": 2000, "height": 1000})
    # A drag starts on a card but never ends on the board (it left the window), then a drag that did not
    # start on a card (text, a file, a link elsewhere) is dropped on a column: nothing may move.
    page.evaluate(
        """(id) => {
        const board = document.getElementById('board');
        const card = document.getElementById('engagement-' + id);
        card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: new DataTransfer()}));
        const other = new DataTransfer();
        other.setData('text/plain', 'hola');
        const zone = document.getElementById('col-meeting_held');
        zone.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: other}));
        zone.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: other}));
    }""",
        first.id,
    )
    page.wait_for_timeout(500)
    assert page.locator(f"#col-contacted #engagement-{first.id}").count() == 1
    assert reload(first).stage == "contacted"


def test_on_a_phone_the_board_folds_its_columns(page, live_server, make_user, make_engagement, make_org):
    for number in range(12):
        make_engagement(make_org(f"Empresa Plegada {number} SAC"), stage="contacted")
        make_engagement(make_org(f"Empresa Reunida {number} SAC"), stage="meeting_held")
    open_board(page, make_user, "phone@pmu.pe", PHONE)
    width, height = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert width <= PHONE["width"]
    assert page.locator("details.column[open]").count() == 1
    assert height < 3 * PHONE["height"]
    page.locator("#col-meeting_held > summary").click()
    assert page.locator("#col-meeting_held .deal").first.is_visible()


def test_the_list_view_shows_the_same_cards_as_a_table(
    page, live_server, make_user, make_engagement, make_org
):
    make_engagement(make_org("Listada Primera SAC"), stage="meeting_held")
    open_board(page, make_user, "list@pmu.pe", DESKTOP, "/pipeline/?view=list")
    table = page.locator("table.board-list")
    assert "Listada Primera SAC" in table.locator("#col-meeting_held").inner_text()
    assert page.locator(".viewswitch a[aria-current=page]").get_attribute("href").endswith("view=list")

"""In a real browser at a laptop's 1366×768: the evidence-pending mark on a board card and in My work."""

from __future__ import annotations

import os
from pathlib import Path

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD


def shoot(page, tmp_path: Path, name: str) -> None:
    """Save a full-page screenshot (to SCREENSHOT_DIR when set, to look at; else the test's folder)."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_board_card_and_my_work_show_evidence_pending(
    page, live_server, make_user, make_org, make_engagement, tmp_path
):
    staff = make_user("staff", email="evidencia@pmu.pe", name="Sofía Staff")
    pending = make_engagement(make_org("Fundición Sin Escaneo SAC", owner_id=staff.id), stage="loi_signed")
    make_engagement(make_org("Textil Contactada SAC", owner_id=staff.id), stage="contacted")
    make_engagement(make_org("Plásticos Reunión SAC", owner_id=staff.id), stage="meeting_held")
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, staff.email, PASSWORD)

    page.goto("/pipeline/")
    badge = page.locator(f"#engagement-{pending.id} .evidence-pending")
    assert badge.is_visible() and badge.inner_text() == "Evidencia pendiente"
    box = badge.bounding_box()
    card = page.locator(f"#engagement-{pending.id}").bounding_box()
    assert box and card and box["x"] + box["width"] <= card["x"] + card["width"]  # stays inside its card
    shoot(page, tmp_path, "board-evidence-pending")

    page.goto("/")
    section = page.locator("#evidence")
    assert "Cartas firmadas sin escaneo" in section.inner_text()
    assert "Fundición Sin Escaneo SAC" in section.inner_text()
    assert "Textil Contactada SAC" not in section.inner_text()
    section.scroll_into_view_if_needed()
    shoot(page, tmp_path, "my-work-evidence-pending")
    section.get_by_role("link", name="Subir el escaneo").click()
    page.wait_for_url("**/letters/*/edit")

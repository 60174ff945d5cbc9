"""The gap page's traffic-light rows and export buttons keep dark text on white (WCAG AA)."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "crm" / "static" / "css" / "app.css"
LIGHTS = ("reached", "on_the_way", "not_on_track")


def rules() -> list[tuple[str, str]]:
    """Return the stylesheet's (selector, declarations) pairs, comments left out."""
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    return [(sel.strip(), body) for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text)]


def luminance(hex_colour: str) -> float:
    """Return the relative luminance of #rrggbb."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """Return the WCAG contrast ratio of two colours."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_no_rule_paints_a_traffic_light_row_behind_its_text():
    for selector, body in rules():
        for part in selector.split(","):
            bare = re.fullmatch(rf"\.light-({'|'.join(LIGHTS)})", part.strip())
            row = re.search(r"tr\.light-\w+\s*$", part.strip())
            assert not ((bare or row) and "background" in body), part


def test_export_buttons_are_accent_text_on_white():
    found = {sel: body for sel, body in rules() if sel == ".export button.link"}
    assert found, "the export buttons need their own colour"
    colour = re.search(r"color:\s*var\(--accent\)", found[".export button.link"])
    accent = re.search(r"--accent:\s*(#[0-9a-f]{6})", CSS.read_text()).group(1)
    assert colour and contrast(accent, "#ffffff") >= 4.5


def test_the_gap_page_marks_rows_and_offers_both_exports(client, login, make_user):
    login(make_user("manager", locale="es"))
    page = client.get("/results/gap").get_data(as_text=True)
    assert 'class="light-not_on_track"' in page  # no verified result yet: every target is far
    assert page.count('class="link"') >= 2 and "Exportar" in page

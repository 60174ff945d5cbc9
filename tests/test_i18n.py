"""Every user-visible string is in the Spanish catalog, translated."""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "crm/translations/es/LC_MESSAGES/messages.po"


def extracted_ids(tmp_path: Path, monkeypatch) -> set[str]:
    """Extract the msgids of the source tree as `make extract-messages` does."""
    pot = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)  # babel.cfg patterns are relative to the repository root
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
         "-o", str(pot), "."],
    )
    with pot.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def spanish() -> dict[str, object]:
    """Return the Spanish catalog's translations by msgid."""
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh)
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}


def test_every_source_string_has_a_spanish_translation(tmp_path, monkeypatch):
    catalog = spanish()
    ids = extracted_ids(tmp_path, monkeypatch)
    assert len(ids) > 100  # the extraction really saw the templates and the code
    missing = sorted(i for i in ids if i not in catalog or not catalog[i].string)
    assert missing == [], "run `make extract-messages` and translate: " + "; ".join(missing[:20])


def test_no_translation_is_left_fuzzy():
    fuzzy = [i for i, m in spanish().items() if m.fuzzy]
    assert fuzzy == []


def test_pages_are_spanish_by_default_and_english_on_request(client):
    assert "Iniciar sesión" in client.get("/auth/login").get_data(as_text=True)
    english = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sign in" in english and "Iniciar sesión" not in english

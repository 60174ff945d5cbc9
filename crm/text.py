"""Text helpers shared by search, matching and imports."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# C0 control characters but tab, line feed and carriage return (as openpyxl's ILLEGAL_CHARACTERS_RE):
# pasted from PowerPoint or PDFs, refused by worksheets; NUL is also refused by PostgreSQL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def fold(value: str | None) -> str:
    """Lower-case, strip accents and collapse spaces, for accent-blind search."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", plain).strip().lower()


def like_pattern(term: str) -> str:
    """Return a LIKE pattern for a folded term, escaping wildcards with backslash."""
    escaped = fold(term).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def strip_controls(value: str) -> str:
    """Remove the control characters a worksheet or PostgreSQL cannot hold (tab and line breaks stay)."""
    return CONTROL_CHARACTERS.sub("", value)

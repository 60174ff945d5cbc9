"""Text helpers shared by search, matching and imports."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


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

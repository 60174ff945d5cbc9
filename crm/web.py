"""Request helpers every feature shares: ids from query strings, the request's language, the page size."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import get_locale

MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer cannot exist and would error on PostgreSQL


def to_id(raw: Any) -> int | None:
    """Return a plausible database id from a query argument or form value, else None."""
    text = str(raw) if raw is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:  # "²".isdigit() is True, int("²") fails
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def locale() -> str:
    """Return the language of the current request ("es" outside one)."""
    found = get_locale()
    return found.language if found else "es"


def format_locale(language: str) -> str:
    """Return the regional locale (es_PE) whose formats a language's users read; its words fall back to es."""
    return current_app.config["FORMAT_LOCALES"].get(language, language)


def page_size() -> int:
    """Return the configured number of rows per page."""
    return current_app.config["PAGE_SIZE"]

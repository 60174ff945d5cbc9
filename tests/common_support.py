"""Helpers several test folders share: valid RUCs and response text (tests/ is on sys.path)."""

from __future__ import annotations

from crm.ruc import make_ruc


def ruc(n: int) -> str:
    """Return a valid company RUC (prefix 20) built from a number."""
    return make_ruc("20", f"{n:08d}")


def text(response) -> str:
    """Return a response body as text."""
    return response.get_data(as_text=True)

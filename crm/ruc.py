"""Validation of Peru's RUC (taxpayer number): 11 digits, the last a check digit."""

from __future__ import annotations

WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
PREFIXES = ("10", "15", "16", "17", "20")


def check_digit(first_ten: str) -> int:
    """Return the modulo-11 check digit SUNAT defines for the first ten digits."""
    total = sum(int(d) * w for d, w in zip(first_ten, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def clean_ruc(value: str | None) -> str:
    """Strip spaces, dots and dashes people type into RUCs."""
    return "".join(ch for ch in (value or "") if ch not in " .-\t")


def ruc_error(value: str) -> str | None:
    """Return why a cleaned RUC is invalid (a message key), or None if valid."""
    if len(value) != 11 or not value.isdigit():
        return "length"
    if value[:2] not in PREFIXES:
        return "prefix"
    if check_digit(value[:10]) != int(value[10]):
        return "check_digit"
    return None


def make_ruc(prefix: str, body: str) -> str:
    """Build a valid RUC from a 2-digit prefix and 8 digits (demo data, tests)."""
    first_ten = f"{prefix}{body}"
    return f"{first_ten}{check_digit(first_ten)}"

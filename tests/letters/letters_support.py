"""Helpers of the letter tests: files of each kind and complete letter forms."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from crm.clock import today
from crm.extensions import db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
TEXT = b"Estimado cliente: esto no es un PDF.\n"


def upload(content: bytes, name: str) -> tuple[io.BytesIO, str]:
    """Return a file part for the test client."""
    return io.BytesIO(content), name


def count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def form(**changes) -> dict:
    """Return a valid form for a letter of interest requested ten days ago."""
    data = {
        "kind": "interest",
        "status": "requested",
        "programme_id": "",
        "requested_on": (today() - timedelta(days=10)).isoformat(),
        "received_on": "",
        "signed_on": "",
        "expires_on": "",
        "signatory_id": "",
        "notes": "",
        "amount": "",
        "currency": "USD",
        "exchange_rate": "",
        "cofinance_type": "",
        "cofinancier_type": "",
        "component": "",
    }
    data.update({k: ("" if v is None else v) for k, v in changes.items()})
    return data


def cofinance_form(**changes) -> dict:
    """Return a valid form for a signed co-finance letter of USD 150,000."""
    signed = (today() - timedelta(days=5)).isoformat()
    values = {
        "kind": "cofinance",
        "status": "signed",
        "signed_on": signed,
        "amount": "150000",
        "currency": "USD",
        "cofinance_type": "equity",
        "cofinancier_type": "private",
        "component": "2",
    }
    values.update(changes)
    return form(**values)

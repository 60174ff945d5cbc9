"""Fixtures for the letter tests: uploads kept in a temporary folder, files of each kind, letters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from crm.extensions import db
from crm.models import Letter


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    """Keep uploaded files of each test in its own temporary folder."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder


@pytest.fixture
def world(en_user, make_org, make_contact):
    """Two companies with a contact each, and English-reading users of every role but liaison."""
    company = make_org("Fundición Callao SAC")
    other = make_org("Textil Ajena SAC")
    return SimpleNamespace(
        company=company,
        other=other,
        signatory=make_contact(company, "Rosa", "Quispe", position="Gerente general"),
        outsider=make_contact(other, "Oscar", "Ajeno"),
        staff=en_user("staff"),
        viewer=en_user("viewer"),
        manager=en_user("manager"),
    )


@pytest.fixture
def make_letter():
    """Create letters directly with the model."""

    def factory(org, kind: str = "interest", status: str = "requested", **fields) -> Letter:
        if kind == "cofinance":
            amount = Decimal(fields.pop("amount", "1000.00"))
            rate = Decimal(fields.pop("exchange_rate", "1"))
            fields = {
                "currency": "USD",
                "cofinance_type": "equity",
                "cofinancier_type": "private",
                **fields,
                "amount": amount,
                "exchange_rate": rate,
                "amount_usd": (amount * rate).quantize(Decimal("0.01")),
            }
        fields.setdefault("requested_on", date(2025, 1, 10))
        letter = Letter(organisation_id=org.id, kind=kind, status=status, **fields)
        db.session.add(letter)
        db.session.commit()
        return letter

    return factory

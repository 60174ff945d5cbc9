"""Fixtures for the demo tests: the demo data set, seeded and committed as the CLI does."""

from __future__ import annotations

import pytest

from crm.demo.services import seed_demo
from crm.extensions import db


@pytest.fixture
def seeded() -> dict[str, int]:
    """Seed the demo data once and commit, as the CLI does."""
    counts = seed_demo()
    db.session.commit()
    return counts

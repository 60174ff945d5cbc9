"""Fixtures for the demo tests: the demo data set, seeded and committed as the CLI does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from crm.demo.services import seed_demo
from crm.extensions import db
from tests.conftest import wipe


@pytest.fixture(scope="module")
def seeded(app: Flask) -> Iterator[dict[str, int]]:
    """Seed the demo data once per module and commit, as the CLI does (15-35 s a time on PostgreSQL).

    The modules that use it are marked shared_rows: their tests read the same seeded rows, and the rows
    are wiped when the module ends.
    """
    with app.app_context():
        counts = seed_demo()
        db.session.commit()
        db.session.remove()
    yield counts
    wipe(app)

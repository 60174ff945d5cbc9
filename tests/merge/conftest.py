"""Fixtures of the duplicate and merge tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def manager(en_user, login):
    """Sign in a manager who reads English."""
    return login(en_user("manager"))

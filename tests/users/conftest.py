"""Fixtures for the user administration tests."""

from __future__ import annotations

import pytest

from crm.extensions import db
from crm.models import User


@pytest.fixture
def admin(make_user, login) -> User:
    """Sign an English-speaking administrator in and return them."""
    return login(make_user("admin", email="boss@pmu.pe", name="Ana Boss", locale="en"))


@pytest.fixture
def make_association(make_org):
    """Create associations (or, with kind=..., other organisations) by name."""
    return lambda name, kind="association": make_org(name, kind=kind)


@pytest.fixture
def reload():
    """Return a function giving a user as stored now."""

    def fresh(user: User) -> User:
        db.session.expire_all()
        return db.session.get(User, user.id)

    return fresh

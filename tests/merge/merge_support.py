"""Helpers of the merge tests."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.models import Programme


def programme(code: str) -> Programme:
    """Return a migrated programme."""
    return db.session.scalars(select(Programme).where(Programme.code == code)).one()

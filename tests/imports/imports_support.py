"""Helpers of the import tests: batch ids and counts (RUCs and response text: common_support)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from common_support import ruc, text  # noqa: F401  (the import tests take them from here)
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import ChangeLog, Contact, Organisation


def batch_id(response) -> int:
    """Return the batch id a redirect points at."""
    found = re.search(r"/imports/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model))


def counts() -> SimpleNamespace:
    """Count the tables an import writes."""
    return SimpleNamespace(orgs=count(Organisation), contacts=count(Contact), changes=count(ChangeLog))

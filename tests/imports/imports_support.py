"""Helpers of the import tests: valid RUCs, counts, response text."""

from __future__ import annotations

import re
from types import SimpleNamespace

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import ChangeLog, Contact, Organisation
from crm.ruc import make_ruc


def ruc(n: int) -> str:
    """Return a valid company RUC (prefix 20) built from a number."""
    return make_ruc("20", f"{n:08d}")


def batch_id(response) -> int:
    """Return the batch id a redirect points at."""
    return int(re.search(r"/imports/(\d+)", response.headers["Location"]).group(1))


def count(model) -> int:
    """Count a table's rows."""
    return db.session.scalar(select(func.count()).select_from(model))


def counts() -> SimpleNamespace:
    """Count the tables an import writes."""
    return SimpleNamespace(orgs=count(Organisation), contacts=count(Contact), changes=count(ChangeLog))


def text(response) -> str:
    """Return a response body as text."""
    return response.get_data(as_text=True)

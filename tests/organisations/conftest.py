"""Fixtures for the organisation tests: reference rows, organisations, memberships, liaisons."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from crm.models import District, Sector
from tests.conftest import get_or_create


@pytest.fixture
def ref() -> SimpleNamespace:
    """Sectors and districts with codes that cannot clash with the real reference data."""
    section = get_or_create(Sector, "code", code="Z9", name_es="Sección de prueba", name_en="Test section")
    division = get_or_create(
        Sector,
        "code",
        code="Z91",
        name_es="Fundición de prueba",
        name_en="Test foundries",
        parent_id=section.id,
    )
    other = get_or_create(Sector, "code", code="Z8", name_es="Otra sección", name_en="Other section")
    place = {"province": "Provincia Prueba", "region": "Región Prueba"}
    district = get_or_create(District, "ubigeo", ubigeo="999901", name="Distrito Alfa", **place)
    district2 = get_or_create(District, "ubigeo", ubigeo="999902", name="Distrito Beta", **place)
    return SimpleNamespace(
        section=section, division=division, other=other, district=district, district2=district2
    )


@pytest.fixture
def staff(make_user, login):
    """Sign in an outreach staff member who reads English."""
    return login(make_user("staff", locale="en"))

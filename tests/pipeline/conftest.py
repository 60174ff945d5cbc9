"""Fixtures for the pipeline tests: programmes, barriers, engagements at any stage, letters."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm import clock
from crm.extensions import db
from crm.models import (
    Barrier,
    District,
    Engagement,
    Letter,
    Organisation,
    Programme,
    Sector,
    StageTransition,
)
from crm.pipeline.services import position
from tests.browser.conftest import browser, live_server, page, session_smtp  # noqa: F401 - browser journeys
from tests.common_support import sign_in
from tests.conftest import PASSWORD, FreshContextClient, get_or_create


@pytest.fixture
def zis() -> Programme:
    """Return the Callao sustainable-industrial-zone programme loaded by the migrations."""
    return db.session.scalars(select(Programme).filter_by(code="ZIS-CALLAO")).one()


@pytest.fixture
def pei() -> Programme:
    """Return the eco-industrial-parks programme loaded by the migrations."""
    return db.session.scalars(select(Programme).filter_by(code="PEI")).one()


@pytest.fixture
def barrier() -> Barrier:
    """Return an active barrier from the migrated list."""
    return db.session.scalars(select(Barrier).filter_by(code="not_priority")).one()


@pytest.fixture
def today() -> date:
    """Return today in Lima, as the app sees it."""
    return clock.today()


@pytest.fixture
def make_engagement(make_org, zis):
    """Create an engagement already at a stage, with the transition that put it there."""

    def factory(org: Organisation | None = None, stage: str = "contacted", **fields) -> Engagement:
        org = org or make_org()
        since = fields.pop("since", clock.today() - timedelta(days=10))
        programme = fields.pop("programme", zis)
        engagement = Engagement(
            organisation_id=org.id, programme_id=programme.id, stage=stage, stage_since=since, **fields
        )
        engagement.transitions.append(StageTransition(from_stage=None, to_stage=stage, occurred_on=since))
        if position(stage) >= position("loi_signed"):  # consistent data: past the gate means a signed letter
            db.session.add(Letter(kind="interest", status="signed", organisation_id=org.id, signed_on=since))
        db.session.add(engagement)
        db.session.commit()
        return engagement

    return factory


@pytest.fixture
def make_letter():
    """Create a letter of interest for a company (signed unless told otherwise)."""

    def factory(org: Organisation, programme: Programme | None = None, **fields) -> Letter:
        letter = Letter(
            kind=fields.pop("kind", "interest"),
            status=fields.pop("status", "signed"),
            organisation_id=org.id,
            programme_id=programme.id if programme else None,
            signed_on=fields.pop("signed_on", clock.today() - timedelta(days=30)),
            **fields,
        )
        db.session.add(letter)
        db.session.commit()
        return letter

    return factory


@pytest.fixture
def staff(en_user, login):
    """Sign in an outreach staff member who reads English."""
    return login(en_user("staff", name="Sofía Staff"))


@pytest.fixture
def second_client(app) -> FlaskClient:
    """Return another browser: a second user working at the same time."""
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def login_other(second_client):
    """Sign a user in on the second browser."""

    def do(user):
        response = sign_in(second_client, user, PASSWORD)
        assert response.status_code == 302
        return user

    return do


@pytest.fixture
def ref() -> SimpleNamespace:
    """Sectors and districts with codes that cannot clash with the real reference data."""
    section = get_or_create(Sector, "code", code="X5", name_es="Sección prueba", name_en="Pipeline section")
    division = get_or_create(
        Sector,
        "code",
        code="X51",
        name_es="División prueba",
        name_en="Pipeline division",
        parent_id=section.id,
    )
    other = get_or_create(Sector, "code", code="X4", name_es="Otra", name_en="Other pipeline section")
    place = {"province": "Provincia Prueba", "region": "Región Prueba"}
    district = get_or_create(District, "ubigeo", ubigeo="999701", name="Distrito Pipeline Uno", **place)
    district2 = get_or_create(District, "ubigeo", ubigeo="999702", name="Distrito Pipeline Dos", **place)
    return SimpleNamespace(
        section=section, division=division, other=other, district=district, district2=district2
    )


def count(model, *where) -> int:
    """Count rows in SQL."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def reload(engagement: Engagement) -> Engagement:
    """Read the engagement again from the database."""
    db.session.expire_all()
    return db.session.get(Engagement, engagement.id)


def last_transition(engagement: Engagement) -> StageTransition:
    """Return the engagement's latest transition, in timeline order."""
    query = (
        select(StageTransition)
        .where(StageTransition.engagement_id == engagement.id)
        .order_by(StageTransition.occurred_on.desc(), StageTransition.id.desc())
    )
    return db.session.scalars(query).first()

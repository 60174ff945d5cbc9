"""Fixtures for the liaison portal tests: two associations, their members, programmes, engagements."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm import clock
from crm.extensions import db
from crm.models import (
    District,
    EmissionProfile,
    Engagement,
    Interaction,
    Membership,
    Organisation,
    Programme,
    Sector,
    StageTransition,
)
from tests.conftest import get_or_create


@pytest.fixture
def programmes() -> SimpleNamespace:
    """Return the two programmes the migrations load."""
    rows = {p.code: p for p in db.session.scalars(select(Programme))}
    return SimpleNamespace(zis=rows["ZIS-CALLAO"], pei=rows["PEI"])


@pytest.fixture
def place() -> SimpleNamespace:
    """A sector and a district with codes that cannot clash with the real reference data."""
    sector = get_or_create(
        Sector, "code", code="Z7", name_es="Fundiciones de prueba", name_en="Test foundries"
    )
    district = get_or_create(
        District, "ubigeo", ubigeo="999907", name="Distrito Gamma", province="Callao", region="Callao"
    )
    return SimpleNamespace(sector=sector, district=district)


@pytest.fixture
def world(en_user, make_org, make_liaison, place):
    """The liaison's association with members, another association with its own, staff and a manager."""
    staff = en_user("staff", name="Olga Owner")
    manager = en_user("manager", name="Mario Manager")
    assoc = make_org("Sociedad Nacional de Industrias", kind="association")
    other_assoc = make_org("Cámara de Comercio de Lima", kind="association")
    member = make_org(
        "Fundición Miembro SAC",
        ruc="20100070970",
        trade_name="Fumisa",
        owner_id=staff.id,
        sector_id=place.sector.id,
        district_id=place.district.id,
        notes="Nota interna secreta",
    )
    member2 = make_org("Textiles Andinos SAC")
    both = make_org("Plásticos Ambos SAC")  # a member of both associations
    other_member = make_org("Química Ajena SAC")
    memberships = {}
    for company, association in ((member, assoc), (member2, assoc), (both, assoc), (both, other_assoc)):
        memberships[(company.id, association.id)] = Membership(
            company_id=company.id, association_id=association.id, status="active"
        )
    memberships[(other_member.id, other_assoc.id)] = Membership(
        company_id=other_member.id, association_id=other_assoc.id, status="active"
    )
    db.session.add_all(memberships.values())
    db.session.add(EmissionProfile(organisation_id=member.id, electricity_mwh_year=4321.5, emits_upops=True))
    db.session.commit()
    liaison = make_liaison(assoc)
    return SimpleNamespace(
        staff=staff,
        manager=manager,
        liaison=liaison,
        assoc=assoc,
        other_assoc=other_assoc,
        member=member,
        member2=member2,
        both=both,
        other_member=other_member,
        m_member=memberships[(member.id, assoc.id)],
        m_member2=memberships[(member2.id, assoc.id)],
        m_both=memberships[(both.id, assoc.id)],
        m_both_other=memberships[(both.id, other_assoc.id)],
        m_other=memberships[(other_member.id, other_assoc.id)],
    )


@pytest.fixture
def as_liaison(world, login):
    """Sign the world's liaison in."""
    return login(world.liaison)


@pytest.fixture
def make_engagement(programmes):
    """Create an engagement at a stage with a transition history through the given stages."""

    def factory(org: Organisation, path: tuple[str, ...], programme: Programme | None = None, **fields):
        start = clock.today() - timedelta(days=30)
        engagement = Engagement(
            organisation_id=org.id,
            programme_id=(programme or programmes.zis).id,
            stage=path[-1],
            stage_since=start + timedelta(days=len(path)),
            **fields,
        )
        previous = None
        for i, stage in enumerate(path):
            day = start + timedelta(days=i + 1)
            engagement.transitions.append(
                StageTransition(from_stage=previous, to_stage=stage, occurred_on=day)
            )
            previous = stage
        db.session.add(engagement)
        db.session.commit()
        return engagement

    return factory


@pytest.fixture
def secrets(world):
    """Confidential records of a member that the portal must never show."""
    db.session.add(
        Interaction(
            organisation_id=world.member.id,
            kind="meeting",
            occurred_on=date(2026, 1, 5),
            staff_id=world.staff.id,
            summary="Resumen confidencial de la reunión",
        )
    )
    db.session.commit()
    return SimpleNamespace(summary="Resumen confidencial de la reunión", electricity="4,321.5")

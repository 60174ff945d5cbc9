"""A fixture data set of engagements whose conversion figures are computed by hand in the tests."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.clock import today
from crm.extensions import db
from crm.models import District, Engagement, Membership, Organisation, Programme, Sector, StageTransition
from tests.conftest import get_or_create


def engage(company: Organisation, programme: Programme, *steps: tuple[str, int], source=None) -> Engagement:
    """Create an engagement whose history is (stage, days before today) steps."""
    last_stage, last_day = steps[-1]
    engagement = Engagement(
        organisation_id=company.id,
        programme_id=programme.id,
        stage=last_stage,
        stage_since=today() - timedelta(days=last_day),
        source_association_id=source.id if source else None,
    )
    db.session.add(engagement)
    previous = None
    for stage, days_ago in steps:
        db.session.add(
            StageTransition(
                engagement=engagement,
                from_stage=previous,
                to_stage=stage,
                occurred_on=today() - timedelta(days=days_ago),
            )
        )
        previous = stage
    return engagement


@pytest.fixture
def dataset(make_org):
    """Seven engagements over two programmes, sectors, districts, referrals and memberships."""
    z9 = get_or_create(Sector, "code", code="Z9", name_es="Sección de prueba", name_en="Test section")
    z91 = get_or_create(Sector, "code", code="Z91", name_es="Fundición", name_en="Foundries", parent_id=z9.id)
    z8 = get_or_create(Sector, "code", code="Z8", name_es="Otra sección", name_en="Other section")
    place = {"province": "Provincia Prueba", "region": "Región Prueba"}
    alfa = get_or_create(District, "ubigeo", ubigeo="999901", name="Distrito Alfa", **place)
    beta = get_or_create(District, "ubigeo", ubigeo="999902", name="Distrito Beta", **place)
    p1, p2 = db.session.scalars(select(Programme).order_by(Programme.id)).all()[:2]
    sni = make_org("Sociedad Nacional de Industrias", kind="association")
    ccl = make_org("Cámara de Comercio de Lima", kind="association")

    c1 = make_org("C1", sector_id=z91.id, district_id=alfa.id)
    c2 = make_org("C2", sector_id=z9.id, district_id=alfa.id)
    c3 = make_org("C3", sector_id=z8.id, district_id=beta.id)
    c4 = make_org("C4")
    c5 = make_org("C5", sector_id=z91.id, district_id=beta.id)
    c6 = make_org("C6", sector_id=z8.id)
    c7 = make_org("C7", sector_id=z8.id)
    engage(
        c1, p1, ("identified", 60), ("contacted", 50), ("meeting_held", 45), ("loi_signed", 40), source=sni
    )
    engage(c2, p1, ("identified", 60), ("contacted", 50), ("declined", 40))
    engage(c3, p1, ("identified", 60), ("meeting_held", 50), source=ccl)  # skipped 'contacted'
    engage(c4, p1, ("identified", 60))
    engage(c5, p1, ("identified", 30), ("contacted", 20), ("loi_signed", 2), source=sni)
    engage(c6, p2, ("identified", 30), ("contacted", 20))
    engage(c7, p1, ("identified", 5))
    db.session.add_all(
        [
            Membership(company_id=c1.id, association_id=sni.id, status="active"),
            Membership(company_id=c2.id, association_id=sni.id, status="active"),
            Membership(company_id=c2.id, association_id=ccl.id, status="active"),
            Membership(company_id=c3.id, association_id=ccl.id, status="lapsed"),
        ]
    )
    db.session.commit()
    return SimpleNamespace(p1=p1, p2=p2, sni=sni, ccl=ccl, c3=c3, c4=c4, z9=z9)

"""A merge page shown again after a refusal still records who read the emission profiles on it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AccessLog, EmissionProfile


def foundry(make_org, name: str):
    """A company with an emission profile."""
    org = make_org(name)
    db.session.add(EmissionProfile(organisation_id=org.id, emits_upops=True, electricity_mwh_year=Decimal(5)))
    db.session.commit()
    return org


def reads() -> int:
    """Count the recorded reads of emission profiles."""
    return db.session.scalar(
        select(func.count()).select_from(AccessLog).where(AccessLog.what == "emission_profile")
    )


def test_a_refused_merge_page_still_records_the_profile_reads(client, manager, make_org):
    keep, drop = foundry(make_org, "Fundición Uno SAC"), foundry(make_org, "Fundicion Uno S.A.C.")
    response = client.post(f"/imports/merge/organisations/{keep.id}/{drop.id}", data={"keep_version": "x"})
    assert response.status_code in (400, 409)  # shown again with the profiles, and nothing merged
    db.session.expire_all()
    assert reads() == 2
    assert db.session.get(type(drop), drop.id) is not None


def test_a_merge_page_records_its_profile_reads(client, manager, make_org):
    keep, drop = foundry(make_org, "Fundición Dos SAC"), foundry(make_org, "Fundicion Dos S.A.C.")
    assert client.get(f"/imports/merge/organisations/{keep.id}/{drop.id}").status_code == 200
    assert reads() == 2

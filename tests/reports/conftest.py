"""A small, hand-checkable world for the report tests.

Seven companies (C1…C7), one ministry with an engagement, two associations, two owners, three
test sectors (section Y9 with division Y91, section Y8) and two test districts. Positions on the
forward path: identified 0, contacted 1, meeting 2, loi 3, assessed 4, TA 5, feasibility 6,
adopting 7. Furthest position reached by each company (all programmes, no period):

  C1 4 (ZIS: identified → contacted → meeting → loi → assessed; PEI: identified only)
  C2 2 (contacted → meeting → declined)          C3 5 (identified → … → technical assistance)
  C4 3 (starts at meeting → on hold → meeting → loi)   C5 0 (identified only)
  C6 1 (contacted → withdrawn)                   C7 2 (PEI only: contacted → meeting)

The expected figures in the tests are derived from this table by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Attendance,
    Barrier,
    Consultant,
    District,
    Engagement,
    Event,
    Letter,
    Materialisation,
    Membership,
    Programme,
    Sector,
    StageTransition,
)
from tests.conftest import get_or_create

D = date.fromisoformat


def programme(code: str) -> Programme:
    """Return a migrated programme by code."""
    return db.session.scalars(select(Programme).where(Programme.code == code)).one()


def barrier(code: str) -> Barrier:
    """Return a migrated barrier by code."""
    return db.session.scalars(select(Barrier).where(Barrier.code == code)).one()


def engage(org, prog, steps, source=None, barriers=None) -> Engagement:
    """Create an engagement with its transitions: steps are (to_stage, 'YYYY-MM-DD') in order."""
    barriers = barriers or {}
    engagement = Engagement(
        organisation_id=org.id,
        programme_id=prog.id,
        stage=steps[-1][0],
        stage_since=D(steps[-1][1]),
        source_association_id=source.id if source else None,
    )
    db.session.add(engagement)
    db.session.flush()
    previous = None
    for stage, day in steps:
        reason = barriers.get(stage)
        db.session.add(
            StageTransition(
                engagement_id=engagement.id,
                from_stage=previous,
                to_stage=stage,
                occurred_on=D(day),
                barrier_id=reason.id if reason else None,
                note="exit" if reason else None,
            )
        )
        db.session.flush()  # keeps transition ids in insertion order
        previous = stage
    return engagement


def letter(org, kind, status, signed_on=None, **fields) -> Letter:
    """Create a letter directly (the letters feature's rules are not under test here)."""
    row = Letter(
        organisation_id=org.id,
        kind=kind,
        status=status,
        signed_on=D(signed_on) if signed_on else None,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def ref() -> SimpleNamespace:
    """Test sectors and districts (codes that do not exist in ISIC or the ubigeo list)."""
    y9 = get_or_create(Sector, "code", code="Y9", name_es="Sección Y", name_en="Section Y")
    y91 = get_or_create(
        Sector, "code", code="Y91", name_es="Fundiciones Y", name_en="Foundries Y", parent_id=y9.id
    )
    y8 = get_or_create(Sector, "code", code="Y8", name_es="Sección Ocho", name_en="Section Eight")
    place = {"province": "Provincia Test", "region": "Región Test"}
    d1 = get_or_create(District, "ubigeo", ubigeo="999801", name="Distrito Uno", **place)
    d2 = get_or_create(District, "ubigeo", ubigeo="999802", name="Distrito Dos", **place)
    return SimpleNamespace(y9=y9, y91=y91, y8=y8, d1=d1, d2=d2)


@pytest.fixture
def world(ref, make_user, make_org) -> SimpleNamespace:
    """Build the companies, engagements, transitions, memberships and letters described above."""
    ana, beto = make_user("staff", name="Ana Owner"), make_user("staff", name="Beto Owner")
    zis, pei = programme("ZIS-CALLAO"), programme("PEI")
    sni = make_org("Sociedad Nacional de Industrias", kind="association")
    ccl = make_org("Cámara de Comercio de Lima", kind="association")
    ministry = make_org("Ministerio de Prueba", kind="government")
    c = SimpleNamespace()
    c.c1 = make_org(
        "Fundición Uno", sector_id=ref.y91.id, district_id=ref.d1.id, size="medium", owner_id=ana.id
    )
    c.c2 = make_org(
        "Fundición Dos", sector_id=ref.y91.id, district_id=ref.d1.id, size="small", owner_id=ana.id
    )
    c.c3 = make_org("Textil Tres", sector_id=ref.y9.id, district_id=ref.d2.id, size="large", owner_id=beto.id)
    c.c4 = make_org(
        "Química Cuatro", sector_id=ref.y8.id, district_id=ref.d2.id, size="medium", owner_id=beto.id
    )
    c.c5 = make_org("Plásticos Cinco")
    c.c6 = make_org("Metal Seis", sector_id=ref.y91.id, district_id=ref.d1.id, size="small", owner_id=ana.id)
    c.c7 = make_org("Vidrio Siete", sector_id=ref.y8.id, district_id=ref.d1.id, size="large", owner_id=ana.id)
    for company, association, status in [
        (c.c1, sni, "active"),
        (c.c2, sni, "active"),
        (c.c3, ccl, "active"),
        (c.c3, sni, "lapsed"),
        (c.c6, ccl, "active"),
    ]:
        db.session.add(Membership(company_id=company.id, association_id=association.id, status=status))
    e = SimpleNamespace()
    e.c1 = engage(
        c.c1,
        zis,
        [
            ("identified", "2025-01-10"),
            ("contacted", "2025-02-01"),
            ("meeting_held", "2025-03-01"),
            ("loi_signed", "2025-04-01"),
            ("assessed", "2025-06-01"),
        ],
        source=sni,
    )
    e.c2 = engage(
        c.c2,
        zis,
        [("contacted", "2025-02-15"), ("meeting_held", "2025-03-15"), ("declined", "2025-04-15")],
        source=sni,
        barriers={"declined": barrier("economic_situation")},
    )
    e.c3 = engage(
        c.c3,
        zis,
        [
            ("identified", "2025-03-01"),
            ("contacted", "2025-05-01"),
            ("meeting_held", "2025-05-21"),
            ("loi_signed", "2025-07-01"),
            ("assessed", "2025-08-01"),
            ("technical_assistance", "2025-10-01"),
        ],
        source=ccl,
    )
    e.c4 = engage(
        c.c4,
        zis,
        [
            ("meeting_held", "2025-07-10"),
            ("on_hold", "2025-08-10"),
            ("meeting_held", "2025-09-10"),
            ("loi_signed", "2025-11-10"),
        ],
        barriers={"on_hold": barrier("not_priority")},
    )
    e.c5 = engage(c.c5, zis, [("identified", "2025-09-01")], source=sni)
    e.c6 = engage(
        c.c6,
        zis,
        [("contacted", "2026-01-05"), ("withdrawn", "2026-02-05")],
        barriers={"withdrawn": barrier("fear_of_inspection")},
    )
    e.c7 = engage(c.c7, pei, [("contacted", "2025-04-01"), ("meeting_held", "2025-06-01")])
    e.c1_pei = engage(c.c1, pei, [("identified", "2025-05-01")])
    e.ministry = engage(ministry, zis, [("contacted", "2025-03-03")])
    # Letters of interest: C1, C3 (twice) and C4 signed; C2 only requested.
    letter(c.c1, "interest", "signed", "2025-03-30")
    letter(c.c3, "interest", "signed", "2025-06-30")
    letter(c.c3, "interest", "signed", "2025-06-30", programme_id=pei.id)
    letter(c.c4, "interest", "signed", "2025-11-01")
    letter(c.c2, "interest", "requested")
    # Letters of intent for cooperation: two signed (2025, 2026), one withdrawn.
    letter(sni, "cooperation", "signed", "2025-02-01")
    letter(ministry, "cooperation", "signed", "2026-02-01")
    letter(ccl, "cooperation", "withdrawn")
    db.session.commit()
    return SimpleNamespace(
        ana=ana, beto=beto, zis=zis, pei=pei, sni=sni, ccl=ccl, ministry=ministry, c=c, e=e, ref=ref
    )


def cofinance(org, who, kind, committed, signed_on, status="signed", paid=()) -> Letter:
    """Create a USD co-finance letter with materialisations (date, amount)."""
    row = letter(
        org,
        "cofinance",
        status,
        signed_on,
        amount=Decimal(committed),
        currency="USD",
        exchange_rate=Decimal(1),
        amount_usd=Decimal(committed),
        cofinancier_type=who,
        cofinance_type=kind,
    )
    for day, amount in paid:
        db.session.add(
            Materialisation(
                letter=row, occurred_on=D(day), amount=Decimal(amount), amount_usd=Decimal(amount)
            )
        )
    return row


@pytest.fixture
def money_world(world) -> SimpleNamespace:
    """Co-finance letters: SNI 1000 (200 + 300 paid), C1 5000 (6000 paid), ministry 2500.50; one unsigned."""
    cofinance(world.sni, "industrial_association", "in_kind", "1000", "2025-03-01",
              paid=[("2025-04-01", "200"), ("2025-09-01", "300")])  # fmt: skip
    cofinance(world.c.c1, "private", "equity", "5000", "2025-05-01", paid=[("2025-06-01", "6000")])
    cofinance(world.ministry, "government", "in_kind", "2500.50", "2025-08-01")
    cofinance(world.c.c1, "private", "equity", "100", None, status="requested")
    db.session.commit()
    return world


@pytest.fixture
def event_world(make_org, make_contact) -> SimpleNamespace:
    """Events: two awareness, one gender-specific training, one workshop without attendees.

    People: P1 female, P2 male, P3 not recorded, P4 female, P5 other, P6 male.
    E1 awareness 2025-03-10 (ZIS): P1 P2 P3 · E2 awareness 2025-09-10: P1 P4 P5
    E3 training 2025-10-01 gender-specific: P4 P6 · E4 workshop 2026-01-20: nobody
    """
    org = make_org("Empresa Asistente")
    genders = ["female", "male", "not_recorded", "female", "other", "male"]
    people = [make_contact(org, f"P{i + 1}", "Persona", gender=g) for i, g in enumerate(genders)]
    zis = programme("ZIS-CALLAO")
    plan = [
        ("E1", "awareness", "2025-03-10", zis.id, False, [0, 1, 2]),
        ("E2", "awareness", "2025-09-10", None, False, [0, 3, 4]),
        ("E3", "training", "2025-10-01", None, True, [3, 5]),
        ("E4", "workshop", "2026-01-20", None, False, []),
    ]
    for title, kind, day, prog, gendered, who in plan:
        event = Event(title=title, type=kind, held_on=D(day), programme_id=prog, gender_specific=gendered)
        db.session.add(event)
        db.session.flush()
        db.session.add_all(Attendance(event_id=event.id, contact_id=people[i].id) for i in who)
    # The registry: qualified 2025-05-01, 2026-02-01 and on an unknown day; a candidate; one qualified
    # 2025-01-15 and suspended 2025-11-01.
    registry = [("qualified", "2025-05-01", None), ("qualified", "2026-02-01", None),
                ("qualified", None, None), ("candidate", None, None),
                ("suspended", "2025-01-15", "2025-11-01")]  # fmt: skip
    for i, (status, qualified_on, suspended_on) in enumerate(registry):
        person = make_contact(None, f"Consultor{i}", "Registrado", qualified_consultant=status == "qualified")
        db.session.add(Consultant(contact_id=person.id, status=status, specialisms="recp",
                                  qualified_on=qualified_on and D(qualified_on),
                                  suspended_on=suspended_on and D(suspended_on)))  # fmt: skip
    db.session.commit()
    return SimpleNamespace(people=people, zis=zis)

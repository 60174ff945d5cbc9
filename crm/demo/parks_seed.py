"""Demo industrial parks with tenant companies of their district, and two clean production agreements.

Parks are found by name and agreements by title, so a second run adds nothing. Tenants are the first
companies (by id) of the park's district not yet in a park; the APLs bind PRODUCE, an association and a
few companies, dated back from the seeding day.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import Agreement, AgreementParty, District, Organisation, ParkTenant
from crm.models.organisation import OrgKind

# (name, district ubigeo, how many tenants): the eco-industrial-parks programme's parks south of Lima.
PARKS = (("La Chutana", "150505", 6), ("Indupark", "150505", 4), ("Sector 62", "150119", 5))
# (title, association, signatory companies' district, days before today it was signed, years it runs)
AGREEMENTS = (
    ("APL del sector fundición – Callao", "Sociedad Nacional de Industrias", "070101", 420, 3),
    ("APL de parques industriales del sur de Lima", "Cámara de Comercio de Lima", "150505", 150, 2),
)
COMMITMENTS = (
    "Diagnóstico energético de cada planta en los primeros seis meses.\n"
    "Reducir 10 % el consumo de energía por tonelada producida al final del acuerdo.\n"
    "Inventario de COP no intencionales y plan de reducción.\n"
    "Informe semestral de avance al Ministerio de la Producción."
)


def named(name: str) -> Organisation | None:
    """Return the organisation with this legal name, if any."""
    return db.session.scalars(select(Organisation).where(Organisation.legal_name == name)).first()


def companies_in(ubigeo: str, limit: int, exclude: set[int]) -> list[Organisation]:
    """Return the first companies of a district, leaving out some ids."""
    query = (
        select(Organisation)
        .join(District, District.id == Organisation.district_id)
        .where(
            Organisation.kind == OrgKind.COMPANY, District.ubigeo == ubigeo, Organisation.id.not_in(exclude)
        )
        .order_by(Organisation.id)
        .limit(limit)
    )
    return list(db.session.scalars(query).unique())


def park(name: str, ubigeo: str, size: int, today: date) -> int:
    """Add a park and its tenants unless it exists; return the tenants added."""
    if named(name) is not None:
        return 0
    district = db.session.scalar(select(District.id).where(District.ubigeo == ubigeo))
    org = Organisation(kind=OrgKind.PARK, legal_name=name, district_id=district)
    db.session.add(org)
    db.session.flush()
    placed = set(db.session.scalars(select(ParkTenant.company_id)))
    for n, company in enumerate(companies_in(ubigeo, size, placed)):
        since = today - timedelta(days=365 * (2 + n % 5))
        db.session.add(ParkTenant(park_id=org.id, company_id=company.id, since=since))
    db.session.flush()
    return size


def agreement(plan: tuple, today: date) -> int:
    """Add one APL with its parties unless it exists; return 1 when added."""
    title, association, ubigeo, days_ago, years = plan
    if db.session.scalar(select(Agreement.id).where(Agreement.title == title)) is not None:
        return 0
    signed = today - timedelta(days=days_ago)
    record = Agreement(kind="apl", title=title, signed_on=signed, starts_on=signed + timedelta(days=30),
                       ends_on=signed + timedelta(days=365 * years), commitments=COMMITMENTS)  # fmt: skip
    parties = [(named("Ministerio de la Producción"), "promoter"), (named(association), "signatory")]
    parties += [(company, "adherent") for company in companies_in(ubigeo, 4, set())]
    record.parties = [AgreementParty(organisation_id=o.id, role=role) for o, role in parties if o is not None]
    db.session.add(record)
    db.session.flush()
    return 1


def seed_parks_and_agreements(today: date) -> int:
    """Add the demo parks (with tenants) and APLs that are missing; return the records added."""
    added = sum(park(name, ubigeo, size, today) for name, ubigeo, size in PARKS)
    return added + sum(agreement(plan, today) for plan in AGREEMENTS)

"""seed_demo(): the realistic demo set, loaded once however often it runs, and its logins."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.clock import today
from crm.demo import catalog
from crm.demo.parks_seed import seed_parks_and_agreements
from crm.demo.plan import Planner
from crm.demo.services import DATA_DIR, name_key, seed_demo
from crm.extensions import db
from crm.models import (
    Agreement,
    AgreementParty,
    Attendance,
    Contact,
    Engagement,
    Event,
    FollowUp,
    Interaction,
    Letter,
    Materialisation,
    Membership,
    Organisation,
    OutboxMessage,
    ParkTenant,
    StageTransition,
    User,
    interaction_contacts,
)
from crm.ruc import ruc_error
from tests.common_support import enrol, user_id_of

pytestmark = pytest.mark.shared_rows  # one demo seeding for the whole module (tests/demo/conftest.py)

TABLES = (
    User,
    Organisation,
    Contact,
    Membership,
    Interaction,
    FollowUp,
    Engagement,
    StageTransition,
    Letter,
    Materialisation,
    Event,
    Attendance,
    OutboxMessage,
)


def table_counts() -> dict[str, int]:
    """Count the rows of every table the demo fills."""
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def count(query) -> int:
    """Count the rows of a SELECT."""
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_second_run_adds_nothing_and_leaves_no_duplicates(seeded):
    before = table_counts()
    parks = count(select(Organisation.id).where(Organisation.kind == "park"))  # counted with the APLs
    assert seeded["organisations"] + parks == before["Organisation"]
    assert seeded["contacts"] == before["Contact"]
    assert seeded["engagements"] == before["Engagement"] == 224
    assert seeded["stage_transitions"] == before["StageTransition"]
    assert seeded["letters"] == before["Letter"] and seeded["attendances"] == before["Attendance"]
    assert before["OutboxMessage"] == 0  # the seed never sends e-mails
    again = seed_demo()
    db.session.commit()
    assert set(again.values()) == {0}
    assert table_counts() == before
    legal_names = select(func.lower(Organisation.legal_name)).group_by(func.lower(Organisation.legal_name))
    assert count(legal_names) == before["Organisation"]
    emails = select(func.lower(Contact.email)).where(Contact.email.is_not(None)).distinct()
    assert count(emails) == count(select(Contact.id).where(Contact.email.is_not(None)))


def test_one_account_per_role_and_the_liaison_works_for_sni(seeded):
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert {u.role for u in users.values()} == {"admin", "manager", "staff", "liaison", "viewer"}
    assert set(users) == {email for email, *_ in catalog.USERS}
    assert {u.locale for u in users.values()} == {"es"}  # the README promises every demo account in Spanish
    assert [a.legal_name for a in users["liaison@demo.pe"].associations] == [
        "Sociedad Nacional de Industrias"
    ]


def test_every_cofinancing_source_is_one_organisation_of_the_right_kind(seeded):
    with open(DATA_DIR / "cofinance_commitments_2021.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 40  # 40 commitments; ONUDI made two of them
    orgs = {name_key(o.legal_name): o for o in db.session.scalars(select(Organisation))}
    kinds = {name_key(r["source"]): orgs[name_key(r["source"])].kind for r in rows}
    assert len(kinds) == 39
    assert kinds[name_key("ONUDI")] == "implementing_agency"
    assert kinds[name_key("SECRETARIA DE ESTADO PARA ASUNTOS ECONÓMICOS DE SUIZA (SECO)")] == "donor"
    assert kinds[name_key("MINISTERIO DE LA PRODUCCIÓN (PRODUCE)")] == "government"
    assert kinds[name_key("SOCIEDAD NACIONAL DE INDUSTRIAS")] == "association"
    assert kinds[name_key("TASA")] == "company"
    onudi = select(Organisation.id).where(func.lower(Organisation.legal_name) == "onudi")
    assert count(onudi) == 1


def test_stakeholders_and_generated_companies(seeded):
    by_kind = dict(
        db.session.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all()
    )
    assert by_kind["association"] == 8 and by_kind["bank"] == 5 and by_kind["technology_provider"] == 3
    assert by_kind["company"] >= 200 and by_kind["government"] >= 4
    assert by_kind["consultancy"] and by_kind["ngo"] and by_kind["academia"]
    generated = db.session.scalars(select(Organisation).where(Organisation.ruc.is_not(None))).all()
    assert len(generated) == catalog.COMPANY_COUNT
    assert all(ruc_error(o.ruc) is None and o.ruc.startswith("20") for o in generated)
    assert all(o.sector.code in {s.code for s in catalog.SECTORS} for o in generated)
    assert {o.district.name for o in generated} >= {
        "Callao",
        "Ventanilla",
        "Lurín",
        "Chilca",
        "Villa El Salvador",
    }
    assert {o.owner.email for o in generated} == set(catalog.STAFF_EMAILS)
    foundries = [o for o in generated if o.sector.code == "24" and o.profile]
    assert foundries and sum(o.profile.emits_upops for o in foundries) > len(foundries) / 2
    parks_agreements_and_modules(seeded)  # checked here: seeding the demo once more costs a minute
    custom_indicators(seeded)


def custom_indicators(seeded: dict[str, int]) -> None:
    """Check the demo's indicators an administrator added: women trained (computed) and a manual one."""
    from crm.demo.indicators_seed import seed_custom_indicators
    from crm.models import Indicator, IndicatorEntry, User
    from crm.reports.indicators import compute_all

    assert seeded["custom_indicators"] == 2
    figures = {f.indicator.code: f for f in compute_all(today())}
    assert figures["3.3.2"].value > 0 and figures["1.1"].value == 2  # the latest of its two entries
    assert db.session.scalar(select(func.count()).select_from(IndicatorEntry)) == 2
    admin = db.session.scalars(select(User).where(User.email == "admin@demo.pe")).one()
    assert seed_custom_indicators(admin, today()) == 0
    assert db.session.scalar(select(func.count()).where(Indicator.code.in_(("1.1", "3.3.2")))) == 2


def parks_agreements_and_modules(seeded: dict[str, int]) -> None:
    """Check the demo's industrial parks with tenants, its APLs, and that trainings name their module."""
    parks = db.session.scalars(select(Organisation.legal_name).where(Organisation.kind == "park")).all()
    assert sorted(parks) == ["Indupark", "La Chutana", "Sector 62"]
    tenants = db.session.execute(select(ParkTenant.park_id, func.count()).group_by(ParkTenant.park_id)).all()
    assert len(tenants) == 3 and all(n > 0 for _, n in tenants)
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 2
    roles = set(db.session.scalars(select(AgreementParty.role)))
    assert roles == {"promoter", "signatory", "adherent"}
    trainings = db.session.scalars(select(Event).where(Event.type == "training")).unique().all()
    assert trainings and all(e.training_module_id is not None for e in trainings)
    assert seeded["parks_and_agreements"] > 3 and seed_parks_and_agreements(today()) == 0


def test_contacts_gender_mix_consent_and_consultants(seeded):
    by_gender = dict(db.session.execute(select(Contact.gender, func.count()).group_by(Contact.gender)).all())
    total = sum(by_gender.values())
    assert 0.28 < by_gender["female"] / total < 0.42 and by_gender["not_recorded"] > 0
    consultants = count(select(Contact.id).where(Contact.qualified_consultant.is_(True)))
    assert 40 <= consultants <= 60
    assert 0 < count(select(Contact.id).where(Contact.email_consent.is_(False))) < total
    per_company = (
        select(Contact.organisation_id, func.count().label("n"))
        .join(Organisation)
        .where(Organisation.ruc.is_not(None))
        .group_by(Contact.organisation_id)
    )
    sizes = {n for _, n in db.session.execute(per_company)}
    assert sizes == {1, 2, 3}


def test_memberships_interactions_and_follow_ups(seeded):
    statuses = set(db.session.scalars(select(Membership.status).distinct()))
    assert statuses == {"prospective", "active", "lapsed", "left"}
    assert count(select(Membership.id).where(Membership.last_reviewed_at.is_(None))) > 0
    assert 200 <= seeded["interactions"] <= 700
    oldest = db.session.scalar(select(func.min(Interaction.occurred_on)))
    assert oldest >= today() - timedelta(days=550)
    assert count(select(interaction_contacts.c.interaction_id).distinct()) == seeded["interactions"]
    open_ = select(FollowUp.id).where(FollowUp.done_at.is_(None))
    assert (
        count(open_.where(FollowUp.due_on < today())) > 0
        and count(open_.where(FollowUp.due_on >= today())) > 0
    )
    assignees = set(db.session.scalars(select(User.email).join(FollowUp, FollowUp.assignee_id == User.id)))
    assert assignees == set(catalog.STAFF_EMAILS)


def test_the_plan_is_the_same_on_every_run():
    first = Planner(["A", "B"]).companies(20)
    second = Planner(["A", "B"]).companies(20)
    assert [(c.legal_name, c.ruc, c.contacts, c.interactions) for c in first] == [
        (c.legal_name, c.ruc, c.contacts, c.interactions) for c in second
    ]


def test_demo_logins_work_through_the_login_form(client, seeded):
    for email, name, _role, password, _locale in catalog.USERS:
        assert (
            client.post("/auth/login", data={"email": email, "password": "wrong-password-1"}).status_code
            == 200
        )
        response = client.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302, email
        if response.headers["Location"] == "/auth/two-factor/setup":  # roles that see the profile enrol first
            assert "Ya los guardé" in enrol(client, user_id_of(email)).get_data(as_text=True), email
        assert name in client.get("/", follow_redirects=True).get_data(as_text=True)  # liaisons: portal
        assert client.post("/auth/logout").status_code == 302

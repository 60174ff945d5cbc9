"""Load the demo data set: deterministic, idempotent, flushes and never commits.

Natural keys decide what already exists: users by e-mail, organisations by RUC or legal
name (accent- and case-blind, ignoring a trailing "(ACRONYM)"), contacts by e-mail,
memberships by company and association. Interactions and follow-ups are added only to
organisations that have no interaction yet. Sectors and districts come from migration 0002.
Then the pipeline (crm.demo.pipeline_seed: engagements by company and programme, letters,
co-finance) and the events (crm.demo.events_seed) are added the same way. No e-mail is queued.
"""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from crm.clock import now, today, zone
from crm.demo import catalog as cat
from crm.demo.consultants_seed import seed_consultants
from crm.demo.events_seed import EventPlanner, EventSeeder
from crm.demo.indicators_seed import seed_custom_indicators
from crm.demo.parks_seed import seed_parks_and_agreements
from crm.demo.pipeline_plan import PipelinePlanner, shift_for
from crm.demo.pipeline_seed import PipelineSeeder
from crm.demo.plan import (
    ContactPlan,
    InteractionPlan,
    MembershipPlan,
    OrgPlan,
    Planner,
    name_key,
    split_acronym,
)
from crm.demo.results_seed import seed_results
from crm.extensions import db
from crm.models import (
    Contact,
    District,
    EmissionProfile,
    FollowUp,
    Interaction,
    Membership,
    Organisation,
    Sector,
    User,
)
from crm.models.organisation import OrgKind
from crm.users.services import create_user

DATA_DIR = Path(__file__).resolve().parent / "data"
COUNT_KEYS = (
    "users",
    "organisations",
    "emission_profiles",
    "contacts",
    "memberships",
    "interactions",
    "follow_ups",
    "engagements",
    "stage_transitions",
    "letters",
    "materialisations",
    "events",
    "attendances",
)


def read_csv(name: str) -> list[dict[str, str]]:
    """Return the rows of one of the package's data files."""
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def named_plans() -> list[OrgPlan]:
    """Plan the named organisations: associations and stakeholders, then co-financing sources."""
    plans = [
        OrgPlan(
            kind=row["kind"],
            legal_name=row["legal_name"],
            trade_name=row["trade_name"] or None,
            sector=row["sector"] or None,
            ubigeo=row["ubigeo"] or None,
            website=row["website"] or None,
        )
        for row in read_csv("organisations.csv")
    ]
    seen = {name_key(p.legal_name) for p in plans}
    for row in read_csv("cofinance_commitments_2021.csv"):
        legal, acronym = split_acronym(row["source"])
        if name_key(legal) not in seen:  # ONUDI appears twice, SNI and ministries are above
            seen.add(name_key(legal))
            kind = cat.COFINANCIER_KINDS[row["cofinancier_type"]]
            plans.append(
                OrgPlan(
                    kind=kind, legal_name=legal, trade_name=acronym, sector=cat.COFINANCIER_SECTORS.get(legal)
                )
            )
    return plans


class Seeder:
    """Apply the demo plan to the database, adding only what is missing."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(COUNT_KEYS, 0)
        self.today = today()
        self.users: dict[str, User] = {}
        self.sectors = dict(db.session.execute(select(Sector.code, Sector.id)).all())
        self.districts = dict(db.session.execute(select(District.ubigeo, District.id)).all())
        orgs = db.session.scalars(select(Organisation)).unique().all()
        self.by_key = {name_key(o.legal_name): o for o in orgs}
        self.by_ruc = {o.ruc: o for o in orgs if o.ruc}
        contacts = db.session.scalars(select(Contact).where(Contact.email.is_not(None))).unique().all()
        self.contacts = {c.email.lower(): c for c in contacts}
        self.member_pairs = set(
            db.session.execute(select(Membership.company_id, Membership.association_id)).all()
        )
        self.with_history = set(db.session.scalars(select(Interaction.organisation_id).distinct()))

    def add(self, key: str, obj: object) -> None:
        """Stage a new row and count it."""
        db.session.add(obj)
        self.counts[key] += 1

    # Users --------------------------------------------------------------------------------

    def ensure_users(self) -> None:
        """Create the demo accounts that do not exist yet."""
        for email, name, role, password, locale in cat.USERS:
            user = db.session.scalar(select(User).where(func.lower(User.email) == email))
            if user is None:
                user = create_user(email=email, name=name, role=role, password=password, locale=locale)
                self.counts["users"] += 1
            self.users[email] = user

    def link_liaison(self) -> None:
        """Link the demo liaison to the Sociedad Nacional de Industrias."""
        liaison = self.users[cat.LIAISON_EMAIL]
        association = self.by_key.get(name_key(cat.LIAISON_ASSOCIATION))
        if association is not None and association not in liaison.associations:
            liaison.associations.append(association)

    # Organisations ------------------------------------------------------------------------

    def find(self, plan: OrgPlan) -> Organisation | None:
        """Return the existing organisation matching the plan's RUC or legal name."""
        return (self.by_ruc.get(plan.ruc) if plan.ruc else None) or self.by_key.get(name_key(plan.legal_name))

    def organisation(self, plan: OrgPlan) -> Organisation:
        """Return the planned organisation, creating it when missing."""
        existing = self.find(plan)
        if existing is not None:
            return existing
        org = Organisation(
            kind=plan.kind,
            legal_name=plan.legal_name,
            trade_name=plan.trade_name,
            ruc=plan.ruc,
            sector_id=self.sectors.get(plan.sector),
            district_id=self.districts.get(plan.ubigeo),
            size=plan.size,
            website=plan.website,
            owner_id=self.users[plan.owner].id if plan.owner else None,
        )
        if plan.profile:
            org.profile = EmissionProfile(**plan.profile)
            self.counts["emission_profiles"] += 1
        self.add("organisations", org)
        self.by_key[name_key(plan.legal_name)] = org
        if plan.ruc:
            self.by_ruc[plan.ruc] = org
        return org

    # People -------------------------------------------------------------------------------

    def contact(self, plan: ContactPlan, org: Organisation | None) -> Contact:
        """Return the contact with the planned e-mail, creating it when missing."""
        existing = self.contacts.get(plan.email)
        if existing is not None:
            return existing
        person = Contact(
            organisation=org,
            first_name=plan.first_name,
            last_name=plan.last_name,
            position=plan.position,
            email=plan.email,
            phone=plan.phone,
            gender=plan.gender,
            email_consent=plan.email_consent,
            qualified_consultant=plan.qualified_consultant,
        )
        self.add("contacts", person)
        self.contacts[plan.email] = person
        return person

    def membership(self, company: Organisation, plan: MembershipPlan) -> None:
        """Add a membership unless the pair exists."""
        assoc = self.by_key[name_key(plan.association)]
        if (company.id, assoc.id) in self.member_pairs:
            return
        self.member_pairs.add((company.id, assoc.id))
        reviewed = now() - timedelta(days=plan.reviewed_days_ago) if plan.reviewed_days_ago else None
        self.add(
            "memberships",
            Membership(
                company_id=company.id,
                association_id=assoc.id,
                status=plan.status,
                since=self.today - timedelta(days=plan.since_days_ago),
                last_reviewed_at=reviewed,
                last_reviewed_by_id=self.users[plan.reviewer].id if reviewed else None,
            ),
        )

    # History ------------------------------------------------------------------------------

    def interaction(self, org: Organisation, plan: InteractionPlan, people: list[Contact]) -> None:
        """Add one interaction with its contacts and follow-up."""
        staff = self.users[plan.staff]
        follow = plan.follow_up
        item = Interaction(
            organisation=org,
            kind=plan.kind,
            occurred_on=self.today - timedelta(days=plan.days_ago),
            staff_id=staff.id,
            summary=plan.summary,
            outcome=plan.outcome,
            next_step=follow.description if follow else None,
            contacts=[people[i] for i in plan.contacts],
        )
        self.add("interactions", item)
        if follow:
            due = self.today + timedelta(days=follow.due_in_days)
            done_at = datetime.combine(due, time(17), tzinfo=zone()) if follow.done else None
            self.add(
                "follow_ups",
                FollowUp(
                    organisation=org,
                    interaction=item,
                    assignee_id=staff.id,
                    created_by_id=staff.id,
                    due_on=due,
                    description=follow.description,
                    done_at=done_at,
                ),
            )

    def history(self, org: Organisation, plan: OrgPlan, people: list[Contact]) -> None:
        """Add the planned interactions unless the organisation already has some."""
        if org.id is not None and org.id in self.with_history:
            return
        for item in plan.interactions:
            self.interaction(org, item, people)

    # Orchestration ------------------------------------------------------------------------

    def apply(self, plans: list[OrgPlan], consultants: list[ContactPlan]) -> None:
        """Create organisations first (ids for memberships), then people and history."""
        orgs = [self.organisation(plan) for plan in plans]
        db.session.flush()
        for org, plan in zip(orgs, plans, strict=True):
            people = [self.contact(person, org) for person in plan.contacts]
            for membership in plan.memberships:
                self.membership(org, membership)
            self.history(org, plan, people)
        for person in consultants:
            self.contact(person, None)
        self.link_liaison()
        db.session.flush()


def seed_demo() -> dict[str, int]:
    """Load the demo data set and return how many rows of each kind were added."""
    seeder = Seeder()
    seeder.ensure_users()
    named = named_plans()
    planner = Planner([p.legal_name for p in named if p.kind == "association"])
    plans = [planner.stakeholder_extras(plan) for plan in named]
    consultants = planner.independent_consultants(38)
    plans += planner.companies()
    seeder.apply(plans, consultants)
    # The dated history moves with the seeding day, by whole weeks: same day, same data.
    shift = shift_for(seeder.today)
    engagements = PipelinePlanner(shift).plan([p for p in plans if p.kind == OrgKind.COMPANY])
    PipelineSeeder(seeder, shift).apply(engagements, read_csv("cofinance_commitments_2021.csv"))
    events = EventPlanner(plans, planner.emails, shift)
    EventSeeder(seeder).apply(events, events.plan(engagements))
    seeder.counts["companies_with_results"] = seed_results(seeder.users["manager@demo.pe"], seeder.today)
    seeder.counts["consultants"] = seed_consultants(seeder.today)
    seeder.counts["parks_and_agreements"] = seed_parks_and_agreements(seeder.today)
    seeder.counts["custom_indicators"] = seed_custom_indicators(seeder.users["admin@demo.pe"], seeder.today)
    return seeder.counts

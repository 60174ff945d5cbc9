"""Deterministic plan of the generated demo records, independent of what the database holds.

The planner draws every random value from one random.Random with a fixed seed, so the same
plan comes out on every run; the seeding service then adds only what is missing.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from crm.demo import catalog as cat
from crm.models.organisation import OrgKind
from crm.ruc import make_ruc
from crm.text import fold

SEED = 20210630
Positions = tuple[tuple[str, str], ...]
BOILER_SECTORS = {"10", "11", "20"}
_ACRONYM = re.compile(r"^(.*?)\s*\(([^)]*)\)\s*$")


@dataclass
class ContactPlan:
    """A fictional person to add, keyed by e-mail."""

    first_name: str
    last_name: str
    gender: str
    position: str
    email: str
    phone: str
    email_consent: bool
    qualified_consultant: bool = False


@dataclass
class FollowUpPlan:
    """A task arising from an interaction: due relative to today, open or done."""

    due_in_days: int
    description: str
    done: bool


@dataclass
class InteractionPlan:
    """A logged contact with an organisation, some days ago."""

    kind: str
    days_ago: int
    staff: str
    summary: str
    outcome: str | None
    contacts: list[int]
    follow_up: FollowUpPlan | None = None


@dataclass
class MembershipPlan:
    """A company's membership of an association (by the association's legal name)."""

    association: str
    status: str
    since_days_ago: int
    reviewed_days_ago: int | None
    reviewer: str


@dataclass
class OrgPlan:
    """An organisation to add, with its people, memberships and history."""

    kind: str
    legal_name: str
    trade_name: str | None = None
    ruc: str | None = None
    sector: str | None = None
    ubigeo: str | None = None
    size: str | None = None
    owner: str | None = None
    website: str | None = None
    profile: dict[str, Any] | None = None
    contacts: list[ContactPlan] = field(default_factory=list)
    memberships: list[MembershipPlan] = field(default_factory=list)
    interactions: list[InteractionPlan] = field(default_factory=list)


def slug(text: str) -> str:
    """Return a lower-case, dash-separated ASCII slug for fictional e-mail domains."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:40] or "org"


def split_acronym(name: str) -> tuple[str, str | None]:
    """Split 'NAME (ACRONYM)' into the name and the acronym."""
    match = _ACRONYM.match(name.strip())
    return (match.group(1), match.group(2)) if match else (name.strip(), None)


def name_key(name: str) -> str:
    """Return the matching key of a legal name (accent- and case-blind, without '(ACRONYM)')."""
    return fold(split_acronym(name)[0])


def positions_of(kind: str) -> Positions:
    """Return the job titles people hold at an organisation of this kind."""
    if kind == "consultancy":
        return cat.CONSULTANT_POSITIONS
    if kind == OrgKind.COMPANY:
        return cat.COMPANY_POSITIONS
    return cat.STAKEHOLDER_POSITIONS.get(kind, cat.OTHER_POSITIONS)


class Planner:
    """Draw the demo data set from a seeded random generator."""

    def __init__(self, associations: list[str], seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.associations = associations
        self.emails: set[str] = set()
        self.names: set[str] = set()
        self.rucs: set[str] = set()

    def pick(self, weighted: tuple[tuple[Any, int], ...]) -> Any:
        """Choose one value from (value, weight) pairs."""
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights)[0]

    # People -------------------------------------------------------------------------------

    def person(self) -> tuple[str, str, str]:
        """Return first name, two surnames and gender (about 35% women, some not recorded)."""
        draw = self.rng.random()
        female = draw < 0.35 or (draw >= 0.9 and self.rng.random() < 0.5)
        first = self.rng.choice(cat.FEMALE if female else cat.MALE)
        last = f"{self.rng.choice(cat.SURNAMES)} {self.rng.choice(cat.SURNAMES)}"
        gender = "not_recorded" if draw >= 0.9 else ("female" if female else "male")
        return first, last, gender

    def email(self, first: str, last: str, domain: str) -> str:
        """Return a unique fictional address on a reserved .example domain."""
        base = f"{slug(first)}.{slug(last.split()[0])}"
        candidate, n = f"{base}@{domain}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{base}{n}@{domain}"
        self.emails.add(candidate)
        return candidate

    def contact(self, domain: str, positions: Positions, consultant: bool = False) -> ContactPlan:
        """Plan one contact person."""
        first, last, gender = self.person()
        phone = (
            f"+51 9{self.rng.randrange(10, 99)} {self.rng.randrange(100, 999)} {self.rng.randrange(100, 999)}"
        )
        return ContactPlan(
            first_name=first,
            last_name=last,
            gender=gender,
            position=self.rng.choice(positions)[1 if gender == "female" else 0],
            email=self.email(first, last, domain),
            phone=phone,
            email_consent=self.rng.random() < 0.7,
            qualified_consultant=consultant,
        )

    def contacts(self, name: str, positions: Positions, counts: tuple[int, ...]) -> list[ContactPlan]:
        """Plan the people of one organisation."""
        domain = f"{slug(name)}.example"
        return [self.contact(domain, positions) for _ in range(self.rng.choice(counts))]

    def independent_consultants(self, n: int) -> list[ContactPlan]:
        """Plan consultants who work on their own (no organisation)."""
        return [self.contact("consultores.example", cat.CONSULTANT_POSITIONS, True) for _ in range(n)]

    # Interactions -------------------------------------------------------------------------

    def follow_up(self, days_ago: int, latest: bool) -> FollowUpPlan | None:
        """Plan an open follow-up after the latest interaction, or a done one before."""
        if latest and self.rng.random() < 0.45:
            due = self.rng.randint(-25, 30)
            return FollowUpPlan(max(due, 1 - days_ago), self.rng.choice(cat.FOLLOW_UPS), done=False)
        if not latest and self.rng.random() < 0.3:
            due = -days_ago + self.rng.randint(5, 15)
            return FollowUpPlan(min(due, -1), self.rng.choice(cat.FOLLOW_UPS), done=True)
        return None

    def interactions(self, owner: str, n_contacts: int, count: int) -> list[InteractionPlan]:
        """Plan `count` interactions over the last 18 months, oldest first."""
        days = sorted((self.rng.randint(0, 540) for _ in range(count)), reverse=True)
        plans = []
        for i, days_ago in enumerate(days):
            kind = self.pick(cat.INTERACTION_KINDS)
            staff = owner if self.rng.random() < 0.8 else self.rng.choice(cat.STAFF_EMAILS)
            involved = self.rng.sample(range(n_contacts), k=min(n_contacts, self.rng.randint(1, 2)))
            plans.append(
                InteractionPlan(
                    kind=kind,
                    days_ago=days_ago,
                    staff=staff,
                    summary=self.rng.choice(cat.SUMMARIES[kind]),
                    outcome=self.rng.choice(cat.OUTCOMES) if self.rng.random() < 0.8 else None,
                    contacts=sorted(involved),
                    follow_up=self.follow_up(days_ago, latest=i == count - 1),
                )
            )
        return plans

    # Companies ----------------------------------------------------------------------------

    def company_name(self, spec: cat.SectorSpec) -> tuple[str, str]:
        """Return a unique legal name and its trade name."""
        while True:
            trade = f"{self.rng.choice(spec.prefixes)} {self.rng.choice(cat.NAME_CORES)}"
            legal = trade + self.pick(cat.LEGAL_FORMS)
            if legal not in self.names:
                self.names.add(legal)
                return legal, trade

    def ruc(self) -> str:
        """Return a new valid RUC of a legal person (prefix 20)."""
        while True:
            value = make_ruc("20", f"{self.rng.randrange(10**7, 10**8):08d}")
            if value not in self.rucs:
                self.rucs.add(value)
                return value

    def profile(self, spec: cat.SectorSpec, size: str) -> dict[str, Any] | None:
        """Plan the energy and emission profile (about a quarter not yet assessed)."""
        if self.rng.random() < 0.25:
            return None
        low, high = {
            "micro": (40, 300),
            "small": (300, 1500),
            "medium": (1500, 8000),
            "large": (8000, 60000),
        }[size]
        electricity = self.rng.uniform(low, high)
        gas = electricity * self.rng.uniform(40, 220) if self.rng.random() < spec.gas else 0.0
        boiler = spec.code in BOILER_SECTORS and gas > 0 and self.rng.random() < 0.5
        # Grid factor about 0.2 tCO2/MWh, natural gas about 1.9 kgCO2/m3; 8-30% can be avoided.
        potential = (electricity * 0.2 + gas * 0.0019) * self.rng.uniform(0.08, 0.3)
        return {
            "electricity_mwh_year": Decimal(f"{electricity:.2f}"),
            "natural_gas_m3_year": Decimal(f"{gas:.2f}") if gas else None,
            "emits_upops": self.rng.random() < spec.upops or boiler,
            "reduction_potential_tco2e": Decimal(f"{potential:.2f}"),
        }

    def memberships(self, sector: str) -> list[MembershipPlan]:
        """Plan 0-2 association memberships with mixed statuses and review dates."""
        # In the order of data/organisations.csv: SNI and CCL lead; fish processors join the SNP.
        weights = [30, 22, 10, 4, 14 if sector == "10" else 2, 12, 10, 5][: len(self.associations)]
        chosen = {
            self.rng.choices(self.associations, weights)[0] for _ in range(self.rng.choice((0, 1, 1, 2)))
        }
        return [self.membership(name) for name in sorted(chosen)]

    def membership(self, association: str) -> MembershipPlan:
        """Plan one membership."""
        status = self.pick((("active", 55), ("prospective", 15), ("lapsed", 20), ("left", 10)))
        reviewed = self.rng.randint(1, 400) if self.rng.random() < 0.75 else None
        reviewer = (
            cat.LIAISON_EMAIL if association == cat.LIAISON_ASSOCIATION else self.rng.choice(cat.STAFF_EMAILS)
        )
        return MembershipPlan(association, status, self.rng.randint(200, 4000), reviewed, reviewer)

    def company(self) -> OrgPlan:
        """Plan one generated company with everything around it."""
        spec = self.pick(tuple((s, s.weight) for s in cat.SECTORS))
        legal, trade = self.company_name(spec)
        size = self.pick(cat.SIZES)
        owner = self.rng.choice(cat.STAFF_EMAILS)
        plan = OrgPlan(
            kind=OrgKind.COMPANY,
            legal_name=legal,
            trade_name=trade,
            ruc=self.ruc(),
            sector=spec.code,
            ubigeo=self.pick(cat.DISTRICTS),
            size=size,
            owner=owner,
            profile=self.profile(spec, size),
        )
        plan.contacts = self.contacts(trade, cat.COMPANY_POSITIONS, (1, 1, 2, 2, 3))
        plan.memberships = self.memberships(spec.code)
        if self.rng.random() < 0.65:
            plan.interactions = self.interactions(owner, len(plan.contacts), self.rng.randint(1, 4))
        return plan

    def companies(self, n: int = cat.COMPANY_COUNT) -> list[OrgPlan]:
        """Plan the generated companies."""
        return [self.company() for _ in range(n)]

    def stakeholder_extras(self, plan: OrgPlan) -> OrgPlan:
        """Add people and a little history to a named organisation."""
        consultancy = plan.kind == "consultancy"
        positions = positions_of(plan.kind)
        plan.contacts = self.contacts(
            plan.trade_name or plan.legal_name, positions, (3,) if consultancy else (1, 2)
        )
        for person in plan.contacts:
            person.qualified_consultant = consultancy
        owner = self.rng.choice(cat.STAFF_EMAILS)
        plan.owner = owner if plan.kind == OrgKind.COMPANY else None
        if self.rng.random() < 0.5:
            plan.interactions = self.interactions(owner, len(plan.contacts), self.rng.randint(1, 3))
        return plan

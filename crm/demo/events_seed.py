"""Demo events: six awareness events before the mid-term, trainings and steering committees.

As at the mid-term review, the awareness events reached 250 distinct people, 30% of those with a
recorded gender women: existing contacts plus people quick-added at the door. The plan draws
from its own seeded generator; events are matched by type, title and date, contacts by e-mail,
so a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from crm.demo import catalog as cat
from crm.demo import phrases
from crm.demo.pipeline_plan import EngagementPlan
from crm.demo.plan import SEED, ContactPlan, OrgPlan, Planner, positions_of, slug
from crm.extensions import db
from crm.models import Attendance, Event, Programme, TrainingModule
from crm.models.organisation import OrgKind

# Distinct people reached by the awareness events, by gender (75 / 240 recorded = 31% women).
REACHED = {"female": 75, "male": 165, "not_recorded": 10}
NEWCOMERS = 60  # people quick-added at the events, not yet in the contact list
HOST_KINDS = (OrgKind.ASSOCIATION, OrgKind.NGO, OrgKind.ACADEMIA, OrgKind.COMPANY)


@dataclass
class EventPlan:
    """One event with the e-mails of the people who attended."""

    title: str
    type: str
    held_on: date
    place: str | None = None
    online: bool = False
    programme: str | None = None
    gender_specific: bool = False
    module: str | None = None
    creator: str = cat.STAFF_EMAILS[0]
    attendees: list[str] = field(default_factory=list)


def by_gender(people: list[ContactPlan], gender: str) -> list[ContactPlan]:
    """Return the people of one gender."""
    return [p for p in people if p.gender == gender]


class EventPlanner:
    """Plan the events and the newcomers from a seeded generator of their own."""

    def __init__(
        self, plans: list[OrgPlan], emails: set[str], shift: timedelta = timedelta(0), seed: int = SEED + 2
    ) -> None:
        self.rng = random.Random(seed)
        self.shift = shift  # moves the design dates of crm.demo.phrases (see pipeline_plan.shift_for)
        self.plans = plans
        self.people = Planner([], seed=seed + 1)
        self.people.emails = emails  # shared with the main plan, so no address is handed out twice
        self.newcomers: list[tuple[ContactPlan, OrgPlan | None]] = []

    def quick_add(self) -> list[ContactPlan]:
        """Plan the people added at the door, some with their organisation (never a surveyed company)."""
        hosts = [p for p in self.plans if p.kind in HOST_KINDS and not p.ruc]
        for _ in range(NEWCOMERS):
            host = self.rng.choice(hosts) if self.rng.random() < 0.6 else None
            domain = f"{slug(host.trade_name or host.legal_name)}.example" if host else "correo.example"
            person = self.people.contact(domain, positions_of(host.kind if host else "other"))
            self.newcomers.append((person, host))
        return [person for person, _ in self.newcomers]

    def audience(self) -> list[str]:
        """Return the 250 distinct people reached, newcomers and existing contacts, shuffled."""
        newcomers = self.quick_add()
        known = [c for p in self.plans if p.kind in HOST_KINDS for c in p.contacts]
        known = self.rng.sample(known, k=len(known))
        pool: list[ContactPlan] = []
        for gender, total in REACHED.items():
            fresh = by_gender(newcomers, gender)[:total]
            pool += fresh + by_gender(known, gender)[: total - len(fresh)]
        kept = {p.email for p in pool}  # newcomers beyond a gender's share never came
        self.newcomers = [(person, host) for person, host in self.newcomers if person.email in kept]
        return self.rng.sample([p.email for p in pool], k=len(pool))

    def awareness(self) -> list[EventPlan]:
        """Plan the awareness events: each brings new people and some who came before."""
        audience, seen, events = self.audience(), [], []
        for i, (title, held_on, place, online, programme, new, again) in enumerate(phrases.AWARENESS):
            fresh, audience = audience[:new], audience[new:]
            repeat = self.rng.sample(seen, k=min(again, len(seen)))
            seen += fresh
            creator = cat.STAFF_EMAILS[i % 2]
            held_on += self.shift
            events.append(EventPlan(title, "awareness", held_on, place, online, programme, creator=creator))
            events[-1].attendees = fresh + repeat
        return events

    def trainings(self, engagements: list[EngagementPlan]) -> list[EventPlan]:
        """Plan the trainings for consultants and the staff of companies that signed up."""
        signed = {id(e.company) for e in engagements if e.depth >= 3}
        trainees = [c for p in self.plans if id(p) in signed or p.kind == "consultancy" for c in p.contacts]
        events = []
        for title, held_on, place, online, module, women_only, size in phrases.TRAININGS:
            group = by_gender(trainees, "female") if women_only else trainees
            people = self.rng.sample(group, k=min(size, len(group)))
            held_on += self.shift
            event = EventPlan(title, "training", held_on, place, online, phrases.ZIS, women_only, module)
            event.attendees = [p.email for p in people]
            events.append(event)
        return events

    def committees(self) -> list[EventPlan]:
        """Plan the yearly steering committees with ministries, donors and the main associations."""
        members = [
            c
            for p in self.plans
            if p.kind in phrases.STEERING_KINDS or p.legal_name in phrases.STEERING_ASSOCIATIONS
            for c in p.contacts
        ]
        events = []
        for n, held_on in enumerate(phrases.STEERING_DATES, start=1):
            people = self.rng.sample(members, k=min(self.rng.randint(8, 12), len(members)))
            event = EventPlan(
                phrases.STEERING_TITLE % n, "steering_committee", held_on + self.shift, phrases.STEERING_PLACE
            )
            event.creator, event.attendees = cat.USERS[1][0], [p.email for p in people]
            events.append(event)
        return events

    def upcoming(self) -> list[EventPlan]:
        """Plan the events still to come (nobody has attended them yet)."""
        return [
            EventPlan(title, kind, held_on + self.shift, place, programme=phrases.ZIS if module else None,
                      module=module, creator=cat.STAFF_EMAILS[0] if module else cat.USERS[1][0])
            for title, kind, held_on, place, module in phrases.UPCOMING
        ]  # fmt: skip

    def plan(self, engagements: list[EngagementPlan]) -> list[EventPlan]:
        """Plan every event, past and upcoming."""
        return self.awareness() + self.trainings(engagements) + self.committees() + self.upcoming()


class EventSeeder:
    """Add the planned people and events that are missing."""

    def __init__(self, seeder) -> None:
        self.seeder = seeder
        self.programmes = dict(db.session.execute(select(Programme.code, Programme.id)).all())
        self.modules = dict(db.session.execute(select(TrainingModule.name_es, TrainingModule.id)).all())
        # By type and title, not date: seeded on another day, the same event has moved with the dates.
        self.existing = set(db.session.execute(select(Event.type, Event.title)).all())

    def event(self, plan: EventPlan) -> None:
        """Add one event with its attendance, one row per person."""
        event = Event(
            title=plan.title,
            type=plan.type,
            held_on=plan.held_on,
            place=plan.place,
            online=plan.online,
            programme_id=self.programmes.get(plan.programme) if plan.programme else None,
            gender_specific=plan.gender_specific,
            training_module=plan.module,
            training_module_id=self.modules.get(plan.module) if plan.module else None,
            created_by_id=self.seeder.users[plan.creator].id,
        )
        self.seeder.add("events", event)
        people = {self.seeder.contacts[e] for e in dict.fromkeys(plan.attendees) if e in self.seeder.contacts}
        for person in sorted(people, key=lambda c: c.id):
            self.seeder.add("attendances", Attendance(event=event, contact_id=person.id))

    def apply(self, planner: EventPlanner, events: list[EventPlan]) -> None:
        """Create the newcomers, then the events not there yet."""
        for person, host in planner.newcomers:
            self.seeder.contact(person, self.seeder.find(host) if host else None)
        db.session.flush()
        for plan in events:
            if (plan.type, plan.title) not in self.existing:
                self.event(plan)
        db.session.flush()

"""Apply the pipeline plan through the pipeline and letter services, adding only what is missing.

Every stage change goes through crm.pipeline.services.start() and move(), so each engagement's
stage is its last transition's and every gate holds: the signed letter of interest is recorded
(through the letters service) just before the move into "letter of interest signed", and the
feasibility move carries its delivery date. An engagement (company × programme) that already
exists is left alone with its letters, so a second run adds nothing. Nothing here writes e-mails.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from crm.clock import zone
from crm.demo import catalog as cat
from crm.demo import phrases
from crm.demo.pipeline_plan import MIDTERM, EngagementPlan, LetterPlan, StepPlan
from crm.demo.plan import name_key
from crm.extensions import db
from crm.letters.cofinance import load_commitments
from crm.letters.services import LetterValues, create_letter
from crm.models import EXITS, Barrier, Contact, Engagement, Letter, Organisation, Programme
from crm.pipeline.services import Move, move, start


class PipelineSeeder:
    """Create the planned engagements, their transitions and letters."""

    def __init__(self, seeder, shift: timedelta = timedelta(0)) -> None:
        self.seeder = seeder
        self.today = seeder.today
        self.shift = shift  # moves the design dates (see pipeline_plan.shift_for)
        self.programmes = {p.code: p for p in db.session.scalars(select(Programme))}
        active = select(Barrier.code, Barrier.id).where(Barrier.active.is_(True)).order_by(Barrier.id)
        self.barriers = dict(db.session.execute(active).all())
        self.engaged = set(db.session.execute(select(Engagement.organisation_id, Engagement.programme_id)))

    def user_id(self, email: str | None) -> int | None:
        """Return the id of a demo user."""
        return self.seeder.users[email].id if email else None

    def signatory(self, plan: EngagementPlan) -> int | None:
        """Return the company's first planned contact, who signs its letters."""
        people = plan.company.contacts
        person = self.seeder.contacts.get(people[0].email) if people else None
        return person.id if person is not None else None

    def barrier(self, code: str | None) -> int | None:
        """Return the barrier's id; an admin may have retired it, then fall back on an active one."""
        if code is None:
            return None
        fallback = self.barriers.get("other") or next(iter(self.barriers.values()), None)
        return self.barriers.get(code) or fallback

    def to_move(self, step: StepPlan) -> Move:
        """Translate a planned step into the pipeline service's request."""
        delivered = step.on if step.to_stage == "feasibility_delivered" else None
        return Move(step.to_stage, step.on, step.note, self.barrier(step.barrier), delivered)

    def source(self, plan: EngagementPlan) -> dict:
        """Return the referral columns: the association, and the liaison when it is hers (SNI)."""
        if plan.association is None:
            return {}
        association = self.seeder.by_key[name_key(plan.association)]
        liaison = plan.association == cat.LIAISON_ASSOCIATION
        return {
            "source_association_id": association.id,
            "referred_by_id": self.user_id(cat.LIAISON_EMAIL) if liaison else None,
            "referred_at": datetime.combine(plan.steps[0].on, time(10), tzinfo=zone()),
        }

    def letter(self, org: Organisation, programme: Programme, plan: EngagementPlan) -> None:
        """Record the company's letter of interest through the letters service."""
        letter: LetterPlan = plan.letter
        signed = letter.status == "signed"
        values = LetterValues(
            kind="interest",
            status=letter.status,
            programme_id=programme.id,
            requested_on=letter.requested_on,
            received_on=letter.signed_on,
            signed_on=letter.signed_on,
            signatory_id=self.signatory(plan) if signed else None,
            notes=phrases.LETTER_NOTE if signed else phrases.REQUESTED_LETTER_NOTE,
        )
        create_letter(org.id, values, self.user_id(plan.company.owner), self.today)
        self.seeder.counts["letters"] += 1

    def engagement(self, plan: EngagementPlan) -> None:
        """Open the engagement and walk it through its planned steps."""
        org = self.seeder.find(plan.company)
        programme = self.programmes.get(plan.programme)
        if org is None or programme is None or (org.id, programme.id) in self.engaged:
            return
        by = self.user_id(plan.company.owner)
        steps = [s for s in plan.steps if s.to_stage not in EXITS or self.barrier(s.barrier)]
        first = self.to_move(steps[0])
        engagement = start(org, programme, first, by, self.today, **self.source(plan))
        self.engaged.add((org.id, programme.id))
        for step in steps[1:]:
            if step.to_stage == "loi_signed" and plan.letter is not None:
                self.letter(org, programme, plan)
            move(engagement, self.to_move(step), by, self.today)
        if plan.letter is not None and plan.letter.status != "signed":
            self.letter(org, programme, plan)
        self.seeder.counts["engagements"] += 1
        self.seeder.counts["stage_transitions"] += len(steps)

    def cooperation(self) -> None:
        """Add the letters of intent for cooperation that the ministries and agencies lack."""
        by = self.user_id(cat.USERS[1][0])  # the coordinator chases these
        for name, status, requested, answered in phrases.COOPERATION:
            org = self.seeder.by_key.get(name_key(name))
            if org is None or self.has_letter(org.id, "cooperation"):
                continue
            values = LetterValues(
                kind="cooperation",
                status=status,
                requested_on=requested + self.shift,
                received_on=answered + self.shift if answered else None,
                signed_on=answered + self.shift if status == "signed" else None,
                signatory_id=self.first_contact(org),
                notes=phrases.COOPERATION_NOTE,
            )
            create_letter(org.id, values, by, self.today)
            self.seeder.counts["letters"] += 1

    @staticmethod
    def first_contact(org: Organisation) -> int | None:
        """Return the id of the organisation's first contact, if it has one."""
        query = select(Contact.id).where(Contact.organisation_id == org.id).order_by(Contact.id)
        return db.session.scalars(query).first()

    def cofinance(self, rows: list[dict[str, str]]) -> None:
        """Load the mid-term co-finance table as signed letters; rows already recorded are skipped."""
        counts = load_commitments(rows, self.user_id(cat.USERS[1][0]), MIDTERM + self.shift)
        self.seeder.counts["letters"] += counts["letters"]
        self.seeder.counts["materialisations"] += counts["materialisations"]
        self.seeder.counts["organisations"] += counts["organisations_created"]

    @staticmethod
    def has_letter(org_id: int, kind: str) -> bool:
        """Return whether the organisation has a letter of this kind."""
        query = select(Letter.id).where(Letter.organisation_id == org_id, Letter.kind == kind)
        return db.session.scalars(query).first() is not None

    def apply(self, plans: list[EngagementPlan], cofinance_rows: list[dict[str, str]]) -> None:
        """Create what is missing: co-finance and cooperation letters, engagements with their letters."""
        self.cofinance(cofinance_rows)
        self.cooperation()
        for plan in plans:
            self.engagement(plan)
        db.session.flush()

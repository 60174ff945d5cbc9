"""Deterministic plan of the participation pipeline: who reaches which stage, when, and who left.

The figures echo the mid-term review (DOMAIN.md): in the Callao programme 200 companies
identified, 190 contacted (the working list), 89 met, 42 letters of interest, 39 assessed, 20
in technical assistance and a handful with feasibility studies — about one in five contacted
companies signs, one in six foundries. Every engagement walks the stages in order (no stage is
skipped), so "reached a stage" means the same from the transitions as from the furthest stage.
Dates are designed around a fixed day (REFERENCE_DATE, the last day of demo history) and moved
by whole weeks so that day falls a few days before the day the demo is seeded: the demo looks
current whenever it is loaded, the same day always plans the same, and weekdays are kept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from crm.demo import catalog as cat
from crm.demo import phrases
from crm.demo.plan import SEED, OrgPlan
from crm.models import STAGES

# The design dates below are shifted together by shift_for(today); the gaps between them are kept.
REFERENCE_DATE = date(2026, 6, 30)  # the design's last day of demo history
LAG_DAYS = 3  # at least this many days between the last planned stage change and the seeding day
MIDTERM = date(2021, 6, 30)  # the mid-term review's cut-off: the co-finance table is dated then
SURVEY = (date(2020, 1, 6), date(2020, 10, 30))  # most companies were identified by the 2020 survey
LATER = (date(2021, 1, 4), date(2025, 12, 15))
# Companies that reached each stage of STAGES, in order.
ZIS_REACHED = (200, 190, 89, 42, 39, 20, 6, 2)
PEI_REACHED = (24, 20, 8, 3, 1, 0, 0, 0)
FOUNDRY = "24"  # ISIC division 24, basic metals
FOUNDRY_ONE_IN = 6
# Exits by furthest stage reached (index into STAGES), and pauses that later resumed.
ZIS_EXITS = {0: 4, 1: 26, 2: 18, 3: 1, 4: 1, 5: 2}
PEI_EXITS = {1: 4, 2: 2}
RESUMED = 6
PEI_DEEPEST = 6  # the deepest southern members join the eco-industrial parks too
REQUESTED_LETTERS = 12
REFERRAL_SHARE = 0.4
# Days between reaching one stage and the next.
GAPS = {
    "contacted": (5, 60),
    "meeting_held": (20, 180),
    "loi_signed": (30, 150),
    "assessed": (30, 120),
    "technical_assistance": (60, 240),
    "feasibility_delivered": (150, 365),
    "adopting": (90, 300),
}
EXIT_GAP = (30, 400)
# How many exits give each barrier: a shuffled deck as large as the Callao exits, so the mix is exact.
BARRIERS = (
    ("fear_of_inspection", 14),
    ("economic_situation", 12),
    ("not_priority", 8),
    ("no_resources", 6),
    ("no_regulatory_pressure", 5),
    ("delays", 4),
    ("relocated", 2),
    ("other", 1),
)
# Southern districts (Lurín, Villa El Salvador, Pucusana, Cañete), where the eco-industrial parks are.
SOUTH = ("150119", "150142", "150124", "1505")


@dataclass
class StepPlan:
    """One stage change: target stage, date, note and (for exits) the barrier code."""

    to_stage: str
    on: date
    note: str | None = None
    barrier: str | None = None


@dataclass
class LetterPlan:
    """The company's letter of interest: signed before the stage, or requested and not back."""

    status: str
    requested_on: date
    signed_on: date | None = None


@dataclass
class EngagementPlan:
    """A company's way through one programme."""

    company: OrgPlan
    programme: str
    depth: int
    steps: list[StepPlan] = field(default_factory=list)
    letter: LetterPlan | None = None
    association: str | None = None

    def date_of(self, stage: str) -> date:
        """Return the date the engagement entered a stage."""
        return next(step.on for step in self.steps if step.to_stage == stage)


def shift_for(today: date) -> timedelta:
    """Return the whole weeks that move the design's last day to 3-9 days before `today`."""
    return timedelta(weeks=(today - timedelta(days=LAG_DAYS) - REFERENCE_DATE).days // 7)


def depths(reached: tuple[int, ...]) -> list[int]:
    """Turn 'companies reaching each stage' into furthest-stage indexes, deepest first."""
    ends = [*reached[1:], 0]
    return [i for i in reversed(range(len(reached))) for _ in range(reached[i] - ends[i])]


def foundry_reached(n: int) -> tuple[int, ...]:
    """Return the foundries' own funnel: all but one contacted, one in six of those signs."""
    contacted = max(n - 1, 0)
    signed = round(contacted / FOUNDRY_ONE_IN)
    return (n, contacted, round(contacted * 0.45), signed, signed, min(2, signed), min(1, signed), 0)


def is_south(plan: OrgPlan) -> bool:
    """Return whether the company lies in the southern districts."""
    return bool(plan.ubigeo) and plan.ubigeo.startswith(SOUTH)


class PipelinePlanner:
    """Draw the engagements from their own seeded generator (independent of the company plan)."""

    def __init__(self, shift: timedelta = timedelta(0), seed: int = SEED + 1) -> None:
        self.rng = random.Random(seed)
        self.reference = REFERENCE_DATE + shift
        self.windows = {
            name: (low + shift, high + shift) for name, (low, high) in (("survey", SURVEY), ("later", LATER))
        }
        self.deck: list[str] = []

    def between(self, low: date, high: date) -> date:
        """Return a date in [low, high]."""
        return low + timedelta(days=self.rng.randint(0, max((high - low).days, 0)))

    def weighted(self, pairs: tuple[tuple[str, int], ...]) -> str:
        """Choose one value from (value, weight) pairs."""
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights)[0]

    # Who takes part -----------------------------------------------------------------------

    def members(self, companies: list[OrgPlan]) -> list[OrgPlan]:
        """Return the Callao programme's members: every co-financier, most generated companies."""
        named = [c for c in companies if not c.ruc]
        generated = [c for c in companies if c.ruc]
        wanted = ZIS_REACHED[0] - len(named)
        southern = [c for c in generated if is_south(c) and c.sector != FOUNDRY]
        outside = set(map(id, self.rng.sample(southern, k=max(len(generated) - wanted, 0))))
        return named + [c for c in generated if id(c) not in outside]

    def sister(self, zis: list[EngagementPlan]) -> list[EngagementPlan]:
        """Plan the eco-industrial parks: southern members, never further than in the main programme.

        So a company's furthest stage over both programmes is its Callao one, and the funnel
        counted per company equals the Callao funnel whatever the programme filter.
        """
        southern = sorted((p for p in zis if is_south(p.company)), key=lambda p: p.depth, reverse=True)
        chosen = southern[:PEI_DEEPEST] + self.rng.sample(
            southern[PEI_DEEPEST:], k=PEI_REACHED[0] - PEI_DEEPEST
        )
        chosen.sort(key=lambda p: p.depth, reverse=True)
        return [
            EngagementPlan(p.company, phrases.PEI, min(depth, p.depth), association=self.referral(p.company))
            for p, depth in zip(chosen, depths(PEI_REACHED), strict=True)
        ]

    def referral(self, company: OrgPlan) -> str | None:
        """Return the association that referred the company, if any (SNI first when a member)."""
        names = [m.association for m in company.memberships]
        if not names or self.rng.random() >= REFERRAL_SHARE:
            return None
        return cat.LIAISON_ASSOCIATION if cat.LIAISON_ASSOCIATION in names else names[0]

    def score(self, plan: EngagementPlan) -> float:
        """Rank companies: co-financiers, referred and larger companies tend to go further."""
        bonus = 0.8 if not plan.company.ruc else 0.0
        bonus += 0.15 if plan.association else 0.0
        bonus += {"large": 0.1, "medium": 0.05}.get(plan.company.size or "", 0.0)
        return self.rng.random() + bonus

    def assign(self, plans: list[EngagementPlan], reached: tuple[int, ...]) -> None:
        """Give the best-ranked engagements the deepest stages, exactly as many as planned."""
        ranked = sorted(plans, key=self.score, reverse=True)
        for plan, depth in zip(ranked, depths(reached), strict=True):
            plan.depth = depth

    def engagements(self, companies: list[OrgPlan]) -> list[EngagementPlan]:
        """Plan the Callao engagements with their furthest stage, foundries on their own quota."""
        plans = [EngagementPlan(c, phrases.ZIS, 0, association=self.referral(c)) for c in companies]
        foundries = [p for p in plans if p.company.sector == FOUNDRY]
        own = foundry_reached(len(foundries))
        self.assign(foundries, own)
        others = [p for p in plans if p.company.sector != FOUNDRY]
        self.assign(others, tuple(a - b for a, b in zip(ZIS_REACHED, own, strict=True)))
        return plans

    # When ----------------------------------------------------------------------------------

    def walk(self, plan: EngagementPlan, pause: bool, leaving: bool) -> None:
        """Plan the forward steps up to the furthest stage, with an optional pandemic pause."""
        gaps = [self.rng.randint(*GAPS[s]) for s in STAGES[1 : plan.depth + 1]]
        window = self.windows["survey" if pause or self.rng.random() < 0.5 else "later"]
        # Leave room before the reference date for the pause and the exit, so nothing lies after it.
        total = sum(gaps) + (60 if pause else 0) + (EXIT_GAP[1] if leaving else 0)
        day = min(self.between(*window), self.reference - timedelta(days=total))
        plan.steps = [StepPlan(STAGES[0], day)]
        for stage, gap in zip(STAGES[1 : plan.depth + 1], gaps, strict=True):
            if pause and stage == "meeting_held":
                day += timedelta(days=self.rng.randint(10, 60))
                plan.steps.append(StepPlan("on_hold", day, phrases.PAUSE_NOTE, "economic_situation"))
            day += timedelta(days=gap)
            plan.steps.append(StepPlan(stage, day, self.forward_note(stage, pause)))

    def forward_note(self, stage: str, resumed: bool) -> str | None:
        """Return the note of a forward move, sometimes none."""
        if resumed and stage == "meeting_held":
            return phrases.RESUME_NOTE
        if stage in ("loi_signed", "feasibility_delivered", "adopting") or self.rng.random() < 0.4:
            return self.rng.choice(phrases.FORWARD_NOTES[stage])
        return None

    def leave(self, plan: EngagementPlan) -> None:
        """Append an exit with its barrier and note."""
        if plan.depth == 0:
            kind = "declined"
        elif plan.depth < 3:
            kind = self.weighted((("declined", 55), ("on_hold", 30), ("withdrawn", 15)))
        else:
            kind = self.weighted((("withdrawn", 60), ("on_hold", 40)))
        barrier = self.barrier()
        day = plan.steps[-1].on + timedelta(days=self.rng.randint(*EXIT_GAP))
        plan.steps.append(StepPlan(kind, day, self.rng.choice(phrases.EXIT_NOTES[barrier]), barrier))

    def barrier(self) -> str:
        """Draw the next barrier from the shuffled deck."""
        if not self.deck:
            self.deck = [code for code, n in BARRIERS for _ in range(n)]
            self.rng.shuffle(self.deck)
        return self.deck.pop()

    def interest_letter(self, plan: EngagementPlan, signed: bool) -> None:
        """Plan the letter of interest: signed just before the stage, or requested after the meeting."""
        met = plan.date_of("meeting_held")
        if signed:
            signed_on = plan.date_of("loi_signed") - timedelta(days=self.rng.randint(0, 5))
            requested = met + timedelta(days=self.rng.randint(0, (signed_on - met).days // 2))
            plan.letter = LetterPlan("signed", requested, signed_on)
        else:
            requested = min(met + timedelta(days=self.rng.randint(7, 60)), self.reference)
            plan.letter = LetterPlan("requested", requested)

    def history(self, plans: list[EngagementPlan], exits: dict[int, int], main: bool) -> None:
        """Date every engagement's steps, pick who left and who paused, and plan the letters."""
        order = self.rng.sample(plans, k=len(plans))
        deep = [p for p in order if p.depth >= 3]
        paused = set(map(id, deep[:RESUMED])) if main else set()
        leaving = {id(p) for d, n in exits.items() for p in [q for q in order if q.depth == d][:n]}
        waiting = [p for p in order if p.depth == 2 and id(p) not in leaving]
        asked = set(map(id, waiting[:REQUESTED_LETTERS])) if main else set()
        for plan in plans:
            self.walk(plan, id(plan) in paused, id(plan) in leaving)
            if id(plan) in leaving:
                self.leave(plan)
            if plan.depth >= 3 or id(plan) in asked:
                self.interest_letter(plan, signed=plan.depth >= 3)

    def plan(self, companies: list[OrgPlan]) -> list[EngagementPlan]:
        """Plan both programmes' engagements."""
        zis = self.engagements(self.members(companies))
        pei = self.sister(zis)
        self.history(zis, ZIS_EXITS, main=True)
        self.history(pei, PEI_EXITS, main=False)
        return zis + pei

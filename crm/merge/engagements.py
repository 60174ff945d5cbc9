"""Combining the two engagements of merged duplicates that take part in the same programme.

Which stage stays (`kept_side`): the more advanced stage on the forward path wins; any forward
stage beats a side exit (declined, on hold, withdrawn); when both left the pipeline, the later exit
wins. A tie keeps the survivor's stage.

The survivor's engagement row stays; the other's transitions move onto it, so the pipeline lists both
histories together by date. The pipeline keeps an engagement's stage equal to its last transition's:
when the combined timeline ends at another stage, one closing transition, dated on the timeline's
last day and signed by the user who merged, brings it to the stage kept. The survivor keeps its
referral, or takes the other's when it has none; the feasibility delivery date comes from the
engagement whose stage stays, else from the other. Letters (of interest and co-finance) and
follow-ups belong to the organisation and move with it (crm.merge.services). The merge is written
in the history as an engagement "merge" row: programme, and the other's stage → the stage now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from crm.extensions import db
from crm.labels import label
from crm.models import EXITS, STAGES, Engagement, StageTransition

Side = tuple[str, date]  # an engagement's stage and the day it entered it


def rank(stage: str | None) -> int:
    """Return the stage's place on the forward path (-1 for the exits)."""
    return STAGES.index(stage) if stage in STAGES else -1


def kept_side(mine: Side, theirs: Side) -> str:
    """Return "keep" or "drop": whose stage the combined engagement keeps."""
    if mine[0] in EXITS and theirs[0] in EXITS:
        return "drop" if theirs[1] > mine[1] else "keep"
    return "drop" if rank(theirs[0]) > rank(mine[0]) else "keep"


@dataclass(frozen=True)
class Pair:
    """The survivor's and the merged-away organisation's engagements in one programme."""

    keep: Engagement
    drop: Engagement

    @property
    def winner(self) -> Engagement:
        """Return the engagement whose stage stays."""
        side = kept_side((self.keep.stage, self.keep.stage_since), (self.drop.stage, self.drop.stage_since))
        return self.keep if side == "keep" else self.drop


def pairs(keep_id: int, drop_id: int) -> list[Pair]:
    """Return the engagements of both organisations in the programmes they share, in one query."""
    theirs = aliased(Engagement)
    query = (
        select(Engagement, theirs)
        .join(theirs, (theirs.programme_id == Engagement.programme_id) & (theirs.organisation_id == drop_id))
        .where(Engagement.organisation_id == keep_id)
        .order_by(Engagement.programme_id)
    )
    return [Pair(mine, other) for mine, other in db.session.execute(query).unique()]


def plan(keep_id: int, drop_id: int, locale: str) -> list[dict[str, str]]:
    """Return, per shared programme, both stages and the one that stays (for the merge page)."""
    return [
        {
            "programme": pair.keep.programme.name(locale),
            "keep": label("stage", pair.keep.stage),
            "drop": label("stage", pair.drop.stage),
            "kept": label("stage", pair.winner.stage),
        }
        for pair in pairs(keep_id, drop_id)
    ]


def last_of(transitions: list[StageTransition]) -> StageTransition | None:
    """Return the latest transition in the pipeline's order (date, then id)."""
    return max(transitions, key=lambda t: (t.occurred_on, t.id or 0), default=None)


def take_referral(keep: Engagement, drop: Engagement) -> None:
    """Give the surviving engagement the other's referral when it has none of its own."""
    if keep.source_association_id is None and keep.referred_at is None and keep.referred_by_id is None:
        keep.source_association_id = drop.source_association_id
        keep.referred_by_id, keep.referred_at = drop.referred_by_id, drop.referred_at


def settle(
    engagement: Engagement, winner: Engagement, winner_last: StageTransition | None, user_id: int | None
) -> None:
    """Put the engagement at the winner's stage, closing the merged timeline on it if it ends elsewhere."""
    stage, since = winner.stage, winner.stage_since
    last = last_of(engagement.transitions)
    if last is not None:
        since = max(since, last.occurred_on)
    if last is not None and last.to_stage != stage:
        # The pipeline keeps stage and stage_since equal to the last transition's: say so with one more.
        barrier = winner_last.barrier_id if winner_last is not None and stage in EXITS else None
        note = _("Duplicate records merged: the two stage histories were combined and this stage kept.")
        engagement.transitions.append(StageTransition(
            from_stage=last.to_stage, to_stage=stage, occurred_on=since, by_id=user_id, note=note,
            barrier_id=barrier,
        ))  # fmt: skip
    engagement.stage, engagement.stage_since = stage, since


def combine(pair: Pair, user_id: int | None) -> dict[str, list]:
    """Fold the merged-away engagement into the survivor's; return the changes for the history."""
    keep, drop, winner = pair.keep, pair.drop, pair.winner
    code, before = keep.programme.code, [drop.stage, drop.stage_since.isoformat()]
    winner_last = last_of(winner.transitions)
    delivered = winner.feasibility_delivered_on or (keep if winner is drop else drop).feasibility_delivered_on
    take_referral(keep, drop)
    for transition in list(drop.transitions):
        transition.engagement = keep
    db.session.delete(drop)
    db.session.flush()
    settle(keep, winner, winner_last, user_id)
    keep.feasibility_delivered_on = delivered
    db.session.flush()
    return {
        "programme": [code, code],
        "stage": [before[0], keep.stage],
        "stage_since": [before[1], keep.stage_since.isoformat()],
    }

"""Merging two organisations engaged in the same programme combines the two engagements."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from common_support import ruc, text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from merge_support import programme
from sqlalchemy import select

from crm.errors import StaleEditError
from crm.extensions import db
from crm.merge import services as merge
from crm.merge.engagements import kept_side
from crm.models import (
    ALL_STAGES,
    EXITS,
    STAGES,
    ChangeLog,
    Engagement,
    FollowUp,
    Letter,
    Organisation,
    StageTransition,
)

DAY = date(2024, 1, 1)


def engage(org: Organisation, code: str, steps: list[tuple[str, date]], **fields) -> Engagement:
    """Engage an organisation with these transitions; its stage is the last one, as the pipeline keeps it."""
    engagement = Engagement(organisation_id=org.id, programme_id=programme(code).id, stage=steps[-1][0],
                            stage_since=steps[-1][1], **fields)  # fmt: skip
    previous = None
    for stage, day in steps:
        engagement.transitions.append(StageTransition(from_stage=previous, to_stage=stage, occurred_on=day))
        previous = stage
    db.session.add(engagement)
    db.session.flush()
    return engagement


def timeline(engagement: Engagement) -> list[tuple[date, str]]:
    """Return an engagement's transitions as (date, stage) in the order the app lists them."""
    query = (
        select(StageTransition.occurred_on, StageTransition.to_stage)
        .where(StageTransition.engagement_id == engagement.id)
        .order_by(StageTransition.occurred_on, StageTransition.id)
    )
    return [tuple(r) for r in db.session.execute(query)]


def engagements_of(org_id: int) -> list[Engagement]:
    """Return an organisation's engagements by programme."""
    query = select(Engagement).where(Engagement.organisation_id == org_id).order_by(Engagement.programme_id)
    return list(db.session.scalars(query))


def post_merge(client, keep: Organisation, drop: Organisation):
    """Merge `drop` into `keep` through the page, keeping the survivor's values."""
    form = {"choice_legal_name": "keep", "keep_version": keep.version_id, "drop_version": drop.version_id}
    return client.post(f"/imports/merge/organisations/{keep.id}/{drop.id}", data=form)


@pytest.fixture
def twins(manager, make_org):
    """Two records of one company, both engaged in the Callao zone at different stages."""
    keep = make_org("Textil Andina S.A.C.")
    drop = make_org("TEXTIL ANDINA SAC", ruc=ruc(7))
    sni = make_org("SNI", kind="association")
    mine = engage(keep, "ZIS-CALLAO", [("identified", date(2024, 1, 10)), ("contacted", date(2024, 3, 1))])
    theirs = engage(
        drop,
        "ZIS-CALLAO",
        [("identified", date(2024, 2, 1)), ("contacted", date(2024, 2, 15)),
         ("meeting_held", date(2024, 4, 1)), ("loi_signed", date(2024, 5, 2))],
        source_association_id=sni.id, referred_by_id=manager.id,
        referred_at=datetime(2024, 2, 1, 15, tzinfo=UTC),
    )  # fmt: skip
    other = engage(drop, "PEI", [("identified", date(2024, 6, 1))])
    zis = programme("ZIS-CALLAO").id
    db.session.add_all([
        Letter(kind="interest", organisation_id=drop.id, programme_id=zis, status="signed",
               signed_on=date(2024, 5, 2)),
        Letter(kind="cofinance", organisation_id=drop.id, programme_id=zis, status="signed", amount=1000,
               currency="USD", exchange_rate=1, amount_usd=1000, cofinance_type="in_kind", component=2),
        FollowUp(organisation_id=drop.id, assignee_id=manager.id, due_on=date(2024, 6, 1),
                 description="Enviar propuesta"),
    ])  # fmt: skip
    db.session.commit()
    return SimpleNamespace(keep=keep, drop=drop, sni=sni, mine=mine, theirs=theirs, other=other, user=manager)


def test_the_preview_says_the_engagements_are_combined_and_which_stage_stays(client, twins):
    body = text(client.get(f"/imports/merge/organisations/{twins.keep.id}/{twins.drop.id}"))
    assert "will be combined into one" in body
    assert "Letter of interest signed" in body and "Contacted" in body  # the stage kept, and the other
    assert "Remove one of the two engagements" not in body


def test_same_programme_engagements_merge_at_the_more_advanced_stage_with_both_histories(client, twins):
    expected = sorted(timeline(twins.mine) + timeline(twins.theirs))
    keep_id, drop_id, mine_id = twins.keep.id, twins.drop.id, twins.mine.id
    theirs_id, other_id = twins.theirs.id, twins.other.id

    response = post_merge(client, twins.keep, twins.drop)

    assert response.status_code == 302 and response.headers["Location"].endswith(f"/organisations/{keep_id}")
    db.session.expire_all()
    assert db.session.get(Organisation, drop_id) is None and db.session.get(Engagement, theirs_id) is None
    zis, pei = engagements_of(keep_id)
    assert (zis.id, pei.id) == (mine_id, other_id) and zis.programme.code == "ZIS-CALLAO"
    assert (zis.stage, zis.stage_since) == ("loi_signed", date(2024, 5, 2))
    assert timeline(zis) == expected and len(expected) == 6
    assert (zis.source_association_id, zis.referred_by_id) == (twins.sni.id, twins.user.id)
    for model in (Letter, FollowUp):
        assert db.session.scalars(select(model.organisation_id)).all() == [keep_id] * (
            2 if model is Letter else 1
        )
    row = db.session.scalars(
        select(ChangeLog).where(ChangeLog.action == "merge", ChangeLog.entity_type == "engagement")
    ).one()
    assert (row.entity_id, row.organisation_id, row.user_id) == (mine_id, keep_id, twins.user.id)
    assert row.changes["stage"] == ["loi_signed", "loi_signed"]
    assert row.changes["programme"] == ["ZIS-CALLAO", "ZIS-CALLAO"]
    detail = text(client.get(f"/organisations/{keep_id}"))
    assert (
        "Engagement · Merge" in detail and '<span class="field-label">Programme</span>: ZIS-CALLAO' in detail
    )
    assert (
        '<span class="field-label">Stage</span>: Contacted → Letter of interest signed' in detail
    )  # the survivor's own change


def test_an_active_stage_beats_a_later_exit_and_the_timeline_ends_at_it(client, twins, make_org):
    keep, drop = make_org("Cerámica Sur SAC"), make_org("CERAMICA SUR S.A.C.")
    mine = engage(keep, "PEI", [("identified", DAY), ("contacted", DAY + timedelta(days=20))])
    engage(drop, "PEI", [("identified", DAY + timedelta(days=5)), ("declined", DAY + timedelta(days=40))])
    db.session.commit()
    mine_id, keep_id = mine.id, keep.id

    assert post_merge(client, keep, drop).status_code == 302

    db.session.expire_all()
    (survivor,) = engagements_of(keep_id)
    steps = timeline(survivor)
    assert survivor.id == mine_id and survivor.stage == "contacted"
    assert [s for _, s in steps] == ["identified", "identified", "contacted", "declined", "contacted"]
    newest = select(StageTransition).where(StageTransition.engagement_id == mine_id)
    last = db.session.scalars(newest.order_by(StageTransition.id.desc())).first()
    assert (last.from_stage, last.to_stage, last.occurred_on, last.by_id) == (
        "declined", "contacted", DAY + timedelta(days=40), twins.user.id
    )  # fmt: skip
    assert survivor.stage_since == last.occurred_on


def test_a_merge_refused_for_a_stale_version_leaves_both_engagements(client, twins):
    form = {"keep_version": twins.keep.version_id, "drop_version": twins.drop.version_id}
    twins.drop.notes = "editado"
    db.session.commit()
    response = client.post(f"/imports/merge/organisations/{twins.keep.id}/{twins.drop.id}", data=form)
    assert response.status_code == 409
    db.session.expire_all()
    assert len(engagements_of(twins.drop.id)) == 2 and len(engagements_of(twins.keep.id)) == 1


def test_an_engagement_moved_by_someone_else_meanwhile_stops_the_merge(twins):
    seen = twins.mine.version_id  # loaded now, as the merge page loads it
    with db.engine.begin() as other:
        table = Engagement.__table__
        moved = table.update().where(table.c.id == twins.mine.id)
        other.execute(moved.values(stage="meeting_held", version_id=seen + 1))
    with pytest.raises(StaleEditError):
        merge.merge_organisations(
            twins.keep, twins.drop, {}, (twins.keep.version_id, twins.drop.version_id), twins.user.id
        )
    db.session.rollback()
    assert len(engagements_of(twins.drop.id)) == 2
    assert engagements_of(twins.keep.id)[0].stage == "meeting_held"


# --- the stage rule --------------------------------------------------------------------------------------

sides = st.tuples(st.sampled_from(ALL_STAGES), st.dates(min_value=DAY, max_value=date(2025, 12, 31)))


def rank(stage: str) -> int:
    """Return a stage's place on the forward path, exits below all."""
    return STAGES.index(stage) if stage in STAGES else -1


@given(mine=sides, theirs=sides)
def test_the_stage_kept_is_the_most_advanced_active_one_else_the_latest_exit(mine, theirs):
    kept = mine if kept_side(mine, theirs) == "keep" else theirs
    if mine[0] in EXITS and theirs[0] in EXITS:
        assert kept[1] == max(mine[1], theirs[1])
        assert kept == mine or theirs[1] > mine[1]  # a tie keeps the survivor's
    else:
        assert kept[0] in STAGES and rank(kept[0]) == max(rank(mine[0]), rank(theirs[0]))
    swapped = theirs if kept_side(theirs, mine) == "keep" else mine
    assert swapped[0] == kept[0] or (kept[0] in EXITS and mine[1] == theirs[1])


def path(stage: str, start: date, gap: int) -> list[tuple[str, date]]:
    """Return a plausible history ending at `stage`: the forward path to it, or two steps then the exit."""
    stages = STAGES[: STAGES.index(stage) + 1] if stage in STAGES else ("identified", "contacted", stage)
    return [(s, start + timedelta(days=i * gap)) for i, s in enumerate(stages)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    mine=st.tuples(st.sampled_from(ALL_STAGES), st.integers(0, 60), st.integers(1, 30)),
    theirs=st.tuples(st.sampled_from(ALL_STAGES), st.integers(0, 60), st.integers(1, 30)),
)
def test_any_two_histories_merge_into_one_consistent_engagement(make_org, mine, theirs):
    keep, drop = make_org(), make_org()
    try:
        a = engage(keep, "ZIS-CALLAO", path(mine[0], DAY + timedelta(days=mine[1]), mine[2]))
        b = engage(drop, "ZIS-CALLAO", path(theirs[0], DAY + timedelta(days=theirs[1]), theirs[2]))
        both = sorted(timeline(a) + timeline(b))
        pair = (a.stage, a.stage_since), (b.stage, b.stage_since)
        winner = pair[0] if kept_side(*pair) == "keep" else pair[1]
        merge.merge_organisations(keep, drop, {}, (keep.version_id, drop.version_id), None)
        db.session.expire_all()
        (survivor,) = engagements_of(keep.id)
        steps = timeline(survivor)
        assert survivor.stage == winner[0] == steps[-1][1] and survivor.stage_since == steps[-1][0]
        assert [d for d, _ in steps] == sorted(d for d, _ in steps)  # one timeline, in date order
        assert not Counter(both) - Counter(steps) and len(steps) - len(both) in (0, 1)
    finally:
        db.session.rollback()

"""The daily digest: per user, what needs doing; users with nothing to do get no e-mail.

Sections: overdue and due-today follow-ups; owned companies without an interaction for N days (N by
the company's most advanced open stage, STALE_DAYS_BY_STAGE); letters the user requested that were not
received after LETTER_OVERDUE_DAYS; signed co-finance letters with an amount still pending and neither
a materialisation nor the signature in the last MATERIALISATION_UPDATE_DAYS days. Each section query
keeps the first SECTION_LIMIT rows per user and counts the rest in SQL (window functions).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, case, exists, func, or_, select

from crm.clock import zone
from crm.extensions import db
from crm.models import (
    STAGES,
    Engagement,
    FollowUp,
    Letter,
    Materialisation,
    Organisation,
    User,
)
from crm.models.organisation import OrgKind
from crm.outbox import outbox_row, queue_mails
from crm.permissions import roles_with

SECTION_LIMIT = 20
SECTIONS = ("overdue", "due_today", "stale", "letters", "cofinance")


def ranked(query: Select, owner: Any, order: list[Any]) -> Select:
    """Number each user's rows and count them; keep the first SECTION_LIMIT per user."""
    numbered = query.add_columns(
        func.row_number().over(partition_by=owner, order_by=order).label("rn"),
        func.count().over(partition_by=owner).label("total"),
    ).subquery()
    return select(numbered).where(numbered.c.rn <= SECTION_LIMIT).order_by(numbered.c.owner, numbered.c.rn)


def recipients(owner: Any) -> Any:
    """SQL condition: the owner is an active user whose role gets digests."""
    return (
        select(User.id)
        .where(User.id == owner, User.active.is_(True), User.role.in_(roles_with("mail.digest")))
        .exists()
    )


def follow_ups(today: date, overdue: bool) -> Select:
    """Open follow-ups due before today (overdue) or today, per assignee."""
    when = FollowUp.due_on < today if overdue else FollowUp.due_on == today
    query = (
        select(
            FollowUp.assignee_id.label("owner"),
            FollowUp.id,
            FollowUp.description,
            FollowUp.due_on,
            FollowUp.organisation_id,
            Organisation.legal_name.label("organisation"),
        )
        .join(Organisation, Organisation.id == FollowUp.organisation_id)
        .where(FollowUp.done_at.is_(None), when, recipients(FollowUp.assignee_id))
    )
    return ranked(query, FollowUp.assignee_id, [FollowUp.due_on, FollowUp.id])


def stale_cutoffs(today: date, top: Any) -> tuple[Any, Any]:
    """Return CASE expressions: the last-interaction date (and creation time) before which it is stale."""
    cfg = current_app.config
    days = {
        i: cfg["STALE_DAYS_BY_STAGE"].get(stage, cfg["STALE_DAYS_DEFAULT"]) for i, stage in enumerate(STAGES)
    }
    default = cfg["STALE_DAYS_DEFAULT"]
    on = case({i: today - timedelta(d) for i, d in days.items()}, value=top, else_=today - timedelta(default))
    midnight = {i: local_midnight(today - timedelta(d)) for i, d in days.items()}
    at = case(midnight, value=top, else_=local_midnight(today - timedelta(default)))
    return on, at


def local_midnight(day: date) -> datetime:
    """Return the start of a local day, in UTC like the stored timestamps."""
    return datetime.combine(day, time(), tzinfo=zone()).astimezone(UTC)


def stage_rank(stage: Any) -> Any:
    """SQL: a stage's place on the forward path (NULL for exits)."""
    return case({s: i for i, s in enumerate(STAGES)}, value=stage)


def stale_companies(today: date) -> Select:
    """Owned companies without a recent interaction, per owner, by their most advanced open stage."""
    top = (
        select(Engagement.organisation_id, func.max(stage_rank(Engagement.stage)).label("top"))
        .where(Engagement.stage.in_(STAGES))
        .group_by(Engagement.organisation_id)
        .subquery()
    )
    last_on = Organisation.last_interaction_on  # kept by crm.interactions.last_seen
    on, at = stale_cutoffs(today, top.c.top)
    engaged = exists().where(Engagement.organisation_id == Organisation.id)
    query = (
        select(
            Organisation.owner_id.label("owner"),
            Organisation.id,
            Organisation.legal_name.label("organisation"),
            top.c.top,
            last_on.label("last_on"),
        )
        .outerjoin(top, top.c.organisation_id == Organisation.id)
        .where(
            Organisation.kind == OrgKind.COMPANY,
            Organisation.owner_id.is_not(None),
            recipients(Organisation.owner_id),
            or_(top.c.top.is_not(None), ~engaged),  # companies that only left the pipeline: no nagging
            or_(last_on < on, and_(last_on.is_(None), Organisation.created_at < at)),
        )
    )
    return ranked(query, Organisation.owner_id, [last_on, Organisation.legal_name])


def letter_owner() -> Any:
    """SQL: who chases a letter — who requested it, else the company's owner."""
    return func.coalesce(Letter.requested_by_id, Organisation.owner_id)


def overdue_letters(today: date, since: date | None = None) -> Select:
    """Letters requested more than LETTER_OVERDUE_DAYS ago and not received, per requester."""
    limit = today - timedelta(current_app.config["LETTER_OVERDUE_DAYS"])
    query = (
        select(
            letter_owner().label("owner"),
            Letter.id,
            Letter.kind,
            Letter.requested_on,
            Letter.organisation_id,
            Organisation.legal_name.label("organisation"),
        )
        .join(Organisation, Organisation.id == Letter.organisation_id)
        .where(Letter.status == "requested", Letter.requested_on <= limit, recipients(letter_owner()))
    )
    if since is not None:
        query = query.where(Letter.requested_on >= since)
    return ranked(query, letter_owner(), [Letter.requested_on, Letter.id])


def cofinance_due(today: date) -> Select:
    """Signed co-finance letters with an amount pending and no materialisation update for months."""
    limit = today - timedelta(current_app.config["MATERIALISATION_UPDATE_DAYS"])
    done = (
        select(
            Materialisation.letter_id,
            func.sum(Materialisation.amount_usd).label("done"),
            func.max(Materialisation.occurred_on).label("last_on"),
        )
        .group_by(Materialisation.letter_id)
        .subquery()
    )
    pending = Letter.amount_usd - func.coalesce(done.c.done, 0)
    query = (
        select(
            letter_owner().label("owner"),
            Letter.id,
            Letter.signed_on,
            done.c.last_on,
            pending.label("pending_usd"),
            Letter.organisation_id,
            Organisation.legal_name.label("organisation"),
        )
        .join(Organisation, Organisation.id == Letter.organisation_id)
        .outerjoin(done, done.c.letter_id == Letter.id)
        .where(
            Letter.kind == "cofinance",
            Letter.status == "signed",
            pending > 0,
            func.coalesce(done.c.last_on, Letter.signed_on) <= limit,
            recipients(letter_owner()),
        )
    )
    return ranked(query, letter_owner(), [Letter.signed_on, Letter.id])


def item(row: Any) -> dict[str, Any]:
    """Turn a section row into JSON-ready payload data."""
    values = {k: v for k, v in row._mapping.items() if k not in ("owner", "rn", "total")}
    if values.get("top") is not None:
        values["stage"] = STAGES[values.pop("top")]
    values.pop("top", None)
    return {
        k: (v.isoformat() if isinstance(v, date) else str(v) if k == "pending_usd" else v)
        for k, v in values.items()
    }


def collect(today: date) -> dict[int, dict[str, Any]]:
    """Run every section query and gather the items per user."""
    queries = {
        "overdue": follow_ups(today, overdue=True),
        "due_today": follow_ups(today, overdue=False),
        "stale": stale_companies(today),
        "letters": overdue_letters(today),
        "cofinance": cofinance_due(today),
    }
    digests: dict[int, dict[str, Any]] = defaultdict(lambda: {"day": today.isoformat(), "more": {}})
    for section, query in queries.items():
        for row in db.session.execute(query):
            digest = digests[row.owner]
            digest.setdefault(section, []).append(item(row))
            digest["more"][section] = max(0, row.total - SECTION_LIMIT)
    return dict(digests)


def daily_digest_rows(today: date) -> list[dict[str, Any]]:
    """Return one digest outbox row per user with something to do today, by user id."""
    return [
        outbox_row("daily_digest", user_id, today.isoformat(), payload)
        for user_id, payload in sorted(collect(today).items())
    ]


def queue_daily_digests(today: date) -> int:
    """Write one digest row per user with something to do today (idempotent per user and date)."""
    return queue_mails(daily_digest_rows(today))


def queue_overdue_letter_notices(today: date) -> int:
    """Write one 'letter overdue' e-mail per letter that became overdue this past week (once per letter)."""
    since = today - timedelta(current_app.config["LETTER_OVERDUE_DAYS"] + 7)
    rows = [
        outbox_row(
            "letter_overdue",
            row.owner,
            row.requested_on.isoformat(),
            item(row),
            subject_type="letter",
            subject_id=row.id,
        )
        for row in db.session.execute(overdue_letters(today, since))
    ]
    return queue_mails(rows)

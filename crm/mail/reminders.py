"""Liaisons' monthly reminder of members to review, and the managers' weekly summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from crm.clock import zone
from crm.extensions import db
from crm.mail.digest import SECTION_LIMIT, local_midnight, ranked
from crm.models import (
    Contact,
    Letter,
    Membership,
    MetricSnapshot,
    Organisation,
    Programme,
    StageTransition,
    User,
    liaison_associations,
)
from crm.outbox import outbox_row, queue_mails
from crm.permissions import roles_with


def local_day(moment: datetime | None) -> str | None:
    """Return the local date of a stored timestamp (SQLite gives naive UTC) as ISO text."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone()).date().isoformat()


def unreviewed_members(today: date) -> Any:
    """Members of each liaison's associations not reviewed in MEMBER_REVIEW_DAYS, per liaison."""
    cutoff = local_midnight(today - timedelta(current_app.config["MEMBER_REVIEW_DAYS"]))
    company, association = aliased(Organisation), aliased(Organisation)
    owner = liaison_associations.c.user_id
    query = (
        select(
            owner.label("owner"),
            Membership.company_id,
            company.legal_name.label("company"),
            association.legal_name.label("association"),
            Membership.status,
            Membership.last_reviewed_at,
        )
        .join(Membership, Membership.association_id == liaison_associations.c.organisation_id)
        .join(company, company.id == Membership.company_id)
        .join(association, association.id == Membership.association_id)
        .join(User, User.id == owner)
        .where(
            User.active.is_(True),
            User.role.in_(roles_with("mail.liaison_review")),
            Membership.status != "left",
            (Membership.last_reviewed_at.is_(None)) | (Membership.last_reviewed_at < cutoff),
        )
    )
    order = [Membership.last_reviewed_at.asc().nulls_first(), company.legal_name]
    return ranked(query, owner, order)


def queue_liaison_reminders(today: date) -> int:
    """Write one reminder per liaison with members to review (once per liaison and month)."""
    payloads: dict[int, dict[str, Any]] = {}
    for row in db.session.execute(unreviewed_members(today)):
        payload = payloads.setdefault(row.owner, {"members": [], "total": row.total})
        payload["members"].append(
            {
                "company_id": row.company_id,
                "company": row.company,
                "association": row.association,
                "status": row.status,
                "reviewed_on": local_day(row.last_reviewed_at),
            }
        )
    days = current_app.config["MEMBER_REVIEW_DAYS"]
    period = today.strftime("%Y-%m")
    rows = [
        outbox_row("liaison_review", owner, period, {**payload, "days": days, "limit": SECTION_LIMIT})
        for owner, payload in sorted(payloads.items())
    ]
    return queue_mails(rows)


def counts_by(column: Any, *conditions: Any) -> dict[str, int]:
    """Count rows grouped by one column, in SQL."""
    query = select(column, func.count()).where(*conditions).group_by(column).order_by(column)
    return {key: n for key, n in db.session.execute(query)}


def headline(programme_id: int, on: date) -> list[int] | None:
    """Return [loi_signed, contacted] of a programme from its 'total' snapshot row of that day."""
    query = select(MetricSnapshot.loi_signed, MetricSnapshot.contacted).where(
        MetricSnapshot.programme_id == programme_id,
        MetricSnapshot.dimension == "total",
        MetricSnapshot.taken_on == on,
    )
    row = db.session.execute(query).first()
    return None if row is None else [row.loi_signed, row.contacted]


def snapshot_day(programme_id: int, on_or_before: date) -> date | None:
    """Return the latest snapshot date of a programme up to a day."""
    query = select(func.max(MetricSnapshot.taken_on)).where(
        MetricSnapshot.programme_id == programme_id,
        MetricSnapshot.dimension == "total",
        MetricSnapshot.taken_on <= on_or_before,
    )
    return db.session.scalar(query)


def conversion_changes(today: date) -> list[dict[str, Any]]:
    """Per programme: contacted → letter of interest now and a week earlier, from the snapshots."""
    changes = []
    for programme in db.session.scalars(
        select(Programme).where(Programme.active.is_(True)).order_by(Programme.id)
    ):
        latest = snapshot_day(programme.id, today)
        if latest is None:
            continue
        before = snapshot_day(programme.id, latest - timedelta(7))
        changes.append(
            {
                "name_es": programme.name_es,
                "name_en": programme.name_en,
                "on": latest.isoformat(),
                "now": headline(programme.id, latest),
                "before_on": before.isoformat() if before else None,
                "before": headline(programme.id, before) if before else None,
            }
        )
    return changes


def weekly_summary(today: date) -> dict[str, Any]:
    """Figures of the last seven days (up to yesterday), computed in SQL."""
    start, end = today - timedelta(7), today - timedelta(1)
    since, until = local_midnight(start), local_midnight(today)
    new_contacts = db.session.scalar(
        select(func.count())
        .select_from(Contact)
        .where(Contact.created_at >= since, Contact.created_at < until)
    )
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "new_contacts": new_contacts or 0,
        "moves": counts_by(StageTransition.to_stage, StageTransition.occurred_on.between(start, end)),
        "letters": counts_by(Letter.kind, Letter.signed_on.between(start, end)),
        "conversion": conversion_changes(today),
    }


def queue_manager_summaries(today: date) -> int:
    """Write the weekly summary for every active manager (once per manager and ISO week)."""
    managers = db.session.scalars(
        select(User.id).where(User.role.in_(roles_with("mail.manager_weekly")), User.active.is_(True))
    )
    ids = sorted(managers)
    if not ids:
        return 0
    year, week, _weekday = today.isocalendar()
    summary = weekly_summary(today)
    return queue_mails([outbox_row("manager_weekly", uid, f"{year}-W{week:02d}", summary) for uid in ids])

"""What each event says, and to whom: a subscriber only hears of records its owner's role may see.

Payloads carry identifiers, names, stages and dates only: never the emission profile, results, notes,
interaction texts or anything else a subscriber's role could not read in the CRM.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    ImportBatch,
    Interaction,
    Letter,
    Materialisation,
    Organisation,
    StageTransition,
    User,
    WebhookSubscription,
)
from crm.permissions import can, visible_organisations

# The permission the subscription's owner needs to hear of each event.
EVENT_PERMISSIONS = {
    "organisation.created": "org.view",
    "organisation.updated": "org.view",
    "stage.moved": "pipeline.view",
    "letter.signed": "letter.view",
    "cofinance.materialised": "letter.view",
    "interaction.logged": "interaction.view",
    "import.finished": "import.run",
}
# The events a manager may subscribe to (report-type); administrators may subscribe to all.
REPORT_EVENTS = ("stage.moved", "letter.signed", "cofinance.materialised", "import.finished")


def day(value: Any) -> str | None:
    """Return a date as ISO text."""
    return value.isoformat() if value is not None else None


def organisation(org: Organisation | None) -> dict[str, Any] | None:
    """Return the public face of an organisation."""
    if org is None:
        return None
    return {"id": org.id, "kind": org.kind, "legal_name": org.legal_name, "trade_name": org.trade_name,
            "ruc": org.ruc}


def of_organisation(org_id: int) -> tuple[int | None, dict]:
    """Describe an organisation event."""
    return org_id, {"organisation": organisation(db.session.get(Organisation, org_id))}


def of_transition(row_id: int) -> tuple[int | None, dict]:
    """Describe a stage move."""
    row = db.session.get(StageTransition, row_id)
    engagement = row.engagement
    return engagement.organisation_id, {
        "organisation": organisation(engagement.organisation),
        "engagement": {"id": engagement.id, "programme_id": engagement.programme_id},
        "from_stage": row.from_stage, "to_stage": row.to_stage, "occurred_on": day(row.occurred_on),
    }


def of_letter(row_id: int) -> tuple[int | None, dict]:
    """Describe a signed letter."""
    letter = db.session.get(Letter, row_id)
    return letter.organisation_id, {
        "organisation": organisation(letter.organisation),
        "letter": {"id": letter.id, "kind": letter.kind, "programme_id": letter.programme_id,
                   "signed_on": day(letter.signed_on)},
    }


def of_materialisation(row_id: int) -> tuple[int | None, dict]:
    """Describe co-finance that materialised."""
    row = db.session.get(Materialisation, row_id)
    org_id, data = of_letter(row.letter_id)
    data["materialisation"] = {"id": row.id, "occurred_on": day(row.occurred_on),
                               "amount_usd": str(row.amount_usd)}
    return org_id, data


def of_interaction(row_id: int) -> tuple[int | None, dict]:
    """Describe a logged interaction (not its text)."""
    row = db.session.get(Interaction, row_id)
    return row.organisation_id, {
        "organisation": organisation(row.organisation),
        "interaction": {"id": row.id, "kind": row.kind, "occurred_on": day(row.occurred_on)},
    }


def of_import(row_id: int) -> tuple[int | None, dict]:
    """Describe a finished import (its counts, not its rows)."""
    batch = db.session.get(ImportBatch, row_id)
    return None, {"import": {"id": batch.id, "kind": batch.kind, "user_id": batch.user_id,
                             "total_rows": batch.total_rows, "counts": batch.counts or {}}}


DESCRIBE: dict[str, Callable[[int], tuple[int | None, dict]]] = {
    "Organisation": of_organisation,
    "StageTransition": of_transition,
    "Letter": of_letter,
    "Materialisation": of_materialisation,
    "Interaction": of_interaction,
    "ImportBatch": of_import,
}


def visible_ids(owner: User, org_ids: set[int]) -> set[int]:
    """Return which of the organisations the owner may see (one query, for the whole commit)."""
    if can(owner, "scope.all_organisations") or not org_ids:
        return set(org_ids)
    query = visible_organisations(owner).with_only_columns(Organisation.id)
    return set(db.session.scalars(query.where(Organisation.id.in_(org_ids))))


def may_hear(owner: User, event: str, org_id: int | None, data: dict, seen: set[int]) -> bool:
    """Return whether the owner may receive this event."""
    if not owner.active or not can(owner, EVENT_PERMISSIONS[event]):
        return False
    if event == "import.finished":
        return can(owner, "import.view_all") or data["import"]["user_id"] == owner.id
    return org_id is not None and org_id in seen


def deliver(noted: list[tuple[str, str, int]], subscriptions: list[WebhookSubscription]) -> int:
    """Write one delivery per event and subscription whose owner may see it; return how many."""
    from crm.webhooks.delivery import add_delivery

    described = [(name, *DESCRIBE[model](row_id)) for name, model, row_id in noted]
    org_ids = {org_id for _name, org_id, _data in described if org_id is not None}
    written = 0
    for subscription in subscriptions:
        seen = visible_ids(subscription.owner, org_ids)
        for name, org_id, data in described:
            if name in (subscription.events or []) and may_hear(subscription.owner, name, org_id, data, seen):
                add_delivery(subscription, name, data)
                written += 1
    return written


def subscribable(user: User) -> tuple[str, ...]:
    """Return the events the user may subscribe to."""
    if can(user, "webhook.admin"):
        return tuple(EVENT_PERMISSIONS)
    return REPORT_EVENTS if can(user, "webhook.subscribe") else ()


def owners() -> list[User]:
    """Return the active users an administrator may create a subscription for."""
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)))

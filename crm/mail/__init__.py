"""E-mail: the kinds users can opt out of, rendering, transport, delivery and the reminders.

Every e-mail goes through the outbox (crm/outbox.py): a row written in the transaction that causes it,
then dispatched (crm/mail/dispatch.py) and delivered exactly once per idempotency key
(crm/mail/delivery.py). See the worker section of the README for the guarantee.
"""

from __future__ import annotations

from typing import Any

from crm.labels import LABELS
from crm.permissions import can

# crm/mail/warmup.py reads the kinds under this name
# The permission to receive each kind of e-mail (and so to choose to stop it), in the order offered.
KIND_PERMISSIONS = {
    "follow_up_assigned": "mail.digest",
    "referral": "mail.digest",
    "daily_digest": "mail.digest",
    "letter_overdue": "mail.digest",
    "liaison_review": "mail.liaison_review",
    "manager_weekly": "mail.manager_weekly",
}


def kinds_for(user: Any) -> tuple[str, ...]:
    """Return the kinds of e-mail the user may receive."""
    return tuple(kind for kind, permission in KIND_PERMISSIONS.items() if can(user, permission))


def kind_label(kind: str) -> str:
    """Return the translated description of a kind of e-mail."""
    return str(LABELS["mail_kind"].get(kind, kind))

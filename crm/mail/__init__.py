"""E-mail: the kinds users can opt out of, rendering, transport, delivery and the reminders.

Every e-mail goes through the outbox (crm/outbox.py): a row written in the transaction that causes it,
then dispatched (crm/mail/dispatch.py) and delivered exactly once per idempotency key
(crm/mail/delivery.py). See the worker section of the README for the guarantee.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm.permissions import can

KIND_LABELS = {
    "follow_up_assigned": _l("A follow-up is assigned to me"),
    "referral": _l("A company is referred to me by an association"),
    "daily_digest": _l("Daily digest of my follow-ups, companies and letters"),
    "letter_overdue": _l("A letter I requested is overdue"),
    "liaison_review": _l("Monthly reminder of members to review"),
    "manager_weekly": _l("Weekly summary for managers"),
}
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
    return str(KIND_LABELS.get(kind, kind))
